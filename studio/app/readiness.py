"""Go-live readiness: what each enabled destination still lacks, said with the platform's name.

Pure checks over the show model and the platform presets — nothing connects. A destination is ready
when its URL is an rtmp(s)://host/app/KEY address once its `${keyring:…}` / `${ENV}` references are
filled in. What is missing is one sentence naming the platform ("YouTube: no stream key") with the
preset's "get your key" link; limits the preset publishes (bitrate, shape) are warnings, never a block.
One destination that is not ready never blocks the others: the window offers to go live with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from studio.app.presets import Preset, load_presets, preset_by_id
from studio.app.profile.model import Destination, ShowSpec
from studio.core.errors import UserError
from studio.core.secrets import SECRET_REF, expand_secret_refs, mask_url
from studio.media.outputs.network import validate_url


@dataclass(frozen=True)
class DestinationCheck:
    index: int                  # in spec.destinations
    name: str                   # the host's name for it
    platform: str               # the preset's name ("YouTube"), or the host's name for a custom one
    url: str = ""               # the full URL with its key, when ready (never shown: mask it)
    problem: str = ""           # empty when ready
    key_link: str = ""          # where the platform hands out stream keys
    warnings: tuple[str, ...] = ()
    codec: str = "h264"

    @property
    def ready(self) -> bool:
        return not self.problem

    @property
    def label(self) -> str:
        same = not self.name or self.platform.lower().startswith(self.name.lower())
        return self.platform if same else f"{self.name} ({self.platform})"


def _preset(presets: list[Preset], d: Destination) -> Preset | None:
    return preset_by_id(presets, d.preset) if d.preset != "custom" else None


# Platforms whose RTMP(S) ingest documents HEVC over Enhanced RTMP (YouTube: H.264, HEVC and AV1)
HEVC_INGESTS = frozenset({"youtube", "custom"})


def check_destination(index: int, d: Destination, spec: ShowSpec, presets: list[Preset]) -> DestinationCheck:
    p = _preset(presets, d)
    platform = p.name if p else (d.name or "Custom RTMP")
    link = p.stream_key_link if p else ""
    base = DestinationCheck(index, d.name, platform, key_link=link)
    if not d.url.strip():
        return _with(base, "no server address — choose a server in Settings → Destinations")
    refs = list(SECRET_REF.finditer(d.url))
    try:
        url = expand_secret_refs(d.url)
    except UserError:
        where = next((("the OS keyring" if m.group("keyring")
                       else f"the environment variable {m.group('name')}") for m in refs), "")
        return _with(base, f"no stream key: nothing in {where}" + (f"; get it at {link}" if link else ""))
    try:
        validate_url(url)
    except UserError as e:
        message = str(e)
        if not refs and message.endswith("rtmp://host/app/KEY") and "application and a stream key" in message:
            message = "no stream key at the end of the address (rtmp://host/app/KEY)" + (
                f"; get it at {link}" if link else "")
        # a platform's name says more than its ingest address; a custom one is known by its (masked) URL
        return _with(base, message.replace(mask_url(url), platform) if p is not None else message)
    warnings = []
    if p is not None:
        top = p.max_video_kbps
        if top and spec.encoding.bitrate_kbps > top:
            sent = spec.encoding.bitrate_kbps
            warnings.append(f"{platform} takes at most {top} kbps; the show sends {sent}")
        vertical = spec.canvas.height > spec.canvas.width
        if p.vertical.startswith("native") and not vertical:
            warnings.append(f"{platform} is watched on phones in 9:16; this canvas is landscape")
        if p.offsite_qr == "forbidden" and spec.commerce.qr not in ("auto", "off"):
            warnings.append(f"{platform} forbids QR codes that lead off the platform; the show draws one")
        if d.codec == "hevc" and p.id not in HEVC_INGESTS:
            warnings.append(f"{platform} documents H.264 for RTMP ingest; HEVC may be refused — "
                            "choose H.264 if it does not go live")
    return DestinationCheck(index, d.name, platform, url, "", link, tuple(warnings), d.codec)


def _with(base: DestinationCheck, problem: str) -> DestinationCheck:
    return DestinationCheck(base.index, base.name, base.platform, "", problem, base.key_link)


def check_destinations(spec: ShowSpec, presets: list[Preset] | None = None) -> list[DestinationCheck]:
    """One check per enabled destination, in the profile's order."""
    try:
        presets = presets if presets is not None else load_presets()
    except UserError:
        presets = []
    return [check_destination(i, d, spec, presets) for i, d in enumerate(spec.destinations) if d.enabled]


def has_stream_key(d: Destination) -> bool:
    """Whether the destination's key can be found now (a reference that resolves, or a literal URL)."""
    try:
        validate_url(expand_secret_refs(d.url))
    except UserError:
        return False
    return True
