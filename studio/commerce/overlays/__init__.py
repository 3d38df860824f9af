"""Overlay renderers: plain data in, premultiplied BGRA ndarray out (QtGui QPainter, offscreen).

Each renderer is pure and rendered on change, never per frame; placement comes from `layout`.
"""
