<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Studio</name>
    <message>
        <source>The studio's stream keys are in an encrypted file. Passphrase:</source>
        <translation>直播工作室的推流码保存在加密文件中。口令：</translation>
    </message>
    <message>
        <source>The encrypted key file is locked: destinations and feeds that need a key will say so. Restart the studio to type the passphrase.</source>
        <translation>加密的密钥文件未解锁：需要密钥的推流目标和数据源会提示。重新启动直播工作室以输入口令。</translation>
    </message>
    <message>
        <source>Passphrase:</source>
        <translation>口令：</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>静音</translation>
    </message>
    <message>
        <source>Gain</source>
        <translation>增益</translation>
    </message>
    <message>
        <source>Mix</source>
        <translation>混音</translation>
    </message>
    <message>
        <source>Click a message to show it on stream</source>
        <translation>点击消息即可上屏</translation>
    </message>
    <message>
        <source>New messages ↓</source>
        <translation>新消息 ↓</translation>
    </message>
    <message>
        <source>Hide from stream</source>
        <translation>从直播画面撤下</translation>
    </message>
    <message>
        <source>Blocked words, comma-separated</source>
        <translation>屏蔽词，用逗号分隔</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Forget this feed's reference (the keyring entry stays)</source>
        <translation>清除此数据源的引用（钥匙串中的条目保留）</translation>
    </message>
    <message>
        <source>Environment variable</source>
        <translation>环境变量</translation>
    </message>
    <message>
        <source>Store it in the OS keyring instead</source>
        <translation>改为保存到系统钥匙串</translation>
    </message>
    <message>
        <source>Use an environment variable instead</source>
        <translation>改用环境变量</translation>
    </message>
    <message>
        <source>stored in keyring — type to replace</source>
        <translation>已保存在钥匙串中 — 输入以替换</translation>
    </message>
    <message>
        <source>Paste it here: it is stored in the OS keyring</source>
        <translation>粘贴到此处：将保存在系统钥匙串中</translation>
    </message>
    <message>
        <source>(not set)</source>
        <translation>（未设置）</translation>
    </message>
    <message>
        <source>No OS keyring is available on this machine, so the %1 was not saved: put it in an environment variable such as %2 and type that variable's name below.</source>
        <translation>此电脑上没有可用的系统钥匙串，因此 %1 未保存：请将其放入环境变量（例如 %2），并在下方输入该变量名。</translation>
    </message>
    <message>
        <source>Type the name of the environment variable that holds it, e.g. %1</source>
        <translation>输入保存它的环境变量名，例如 %1</translation>
    </message>
    <message>
        <source>Stored in the OS keyring when you press OK</source>
        <translation>按“确定”后保存到系统钥匙串</translation>
    </message>
    <message>
        <source>Stored in the OS keyring</source>
        <translation>已保存在系统钥匙串中</translation>
    </message>
    <message>
        <source>%1: %2 is not an environment variable name (letters, digits and _)</source>
        <translation>%1：%2 不是有效的环境变量名（只能包含字母、数字和 _）</translation>
    </message>
    <message>
        <source>Read from the environment variable %1 when the show starts</source>
        <translation>开播时从环境变量 %1 读取</translation>
    </message>
    <message>
        <source>Not set: the feed reads %1 from the environment, else the keyring entry %2</source>
        <translation>未设置：数据源先读取环境变量 %1，否则读取钥匙串条目 %2</translation>
    </message>
    <message>
        <source>connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>DEMO DATA — simulated orders and chat</source>
        <translation>演示数据 — 订单和聊天均为模拟</translation>
    </message>
    <message>
        <source>The demo feed is on: turn it off in Settings → Feeds</source>
        <translation>演示数据源已开启：可在 设置 → 数据源 中关闭</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>reconnected</source>
        <translation>已重新连接</translation>
    </message>
    <message>
        <source>retrying</source>
        <translation>正在重试</translation>
    </message>
    <message>
        <source>the live chat has ended</source>
        <translation>直播聊天已结束</translation>
    </message>
    <message>
        <source>retrying in %1</source>
        <translation>%1后重试</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>No feeds: add one to show real chat and orders, or the demo feed to rehearse.</source>
        <translation>没有数据源：添加一个以显示真实的聊天和订单，或添加演示数据源进行彩排。</translation>
    </message>
    <message>
        <source>Advanced</source>
        <translation>高级</translation>
    </message>
    <message>
        <source>The kind of feed to add</source>
        <translation>要添加的数据源类型</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Checked: the feed runs with the show</source>
        <translation>勾选：数据源随直播一起运行</translation>
    </message>
    <message>
        <source>Simulated data: orders and chat are not real</source>
        <translation>模拟数据：订单和聊天都不是真实的</translation>
    </message>
    <message>
        <source>This feed uses an unofficial library: it may break when the platform changes.</source>
        <translation>此数据源使用非官方库：平台变更时可能失效。</translation>
    </message>
    <message>
        <source>* required</source>
        <translation>* 必填</translation>
    </message>
    <message>
        <source>Unknown feed kind %1: this studio has no such connector, so the feed is kept as it is and does not run.</source>
        <translation>未知的数据源类型 %1：此版本没有该连接器，数据源将原样保留且不会运行。</translation>
    </message>
    <message>
        <source>The options could not be checked (%1)</source>
        <translation>无法检查这些选项（%1）</translation>
    </message>
    <message>
        <source>Keep stream keys in an encrypted file</source>
        <translation>把推流码保存在加密文件中</translation>
    </message>
    <message>
        <source>This machine has no OS keyring. Choose a passphrase (at least 8 characters) to keep the studio's stream keys in an encrypted file; you type it again when the studio starts, or a kiosk sets it in STUDIO_KEYRING_PASSPHRASE. Cancel to read the key from an environment variable instead.</source>
        <translation>本机没有系统钥匙串。设置一个口令（至少 8 个字符），把推流码保存在加密文件中；每次启动时再输入，或由无人值守机在 STUDIO_KEYRING_PASSPHRASE 中设置。取消则改为从环境变量读取推流码。</translation>
    </message>
    <message>
        <source>Stream key</source>
        <translation>推流码</translation>
    </message>
    <message>
        <source>%1 fps</source>
        <translation>%1 帧/秒</translation>
    </message>
    <message>
        <source>CPU %1%</source>
        <translation>CPU %1%</translation>
    </message>
    <message>
        <source>Dropped %1</source>
        <translation>丢帧 %1</translation>
    </message>
    <message>
        <source>%1 kbps</source>
        <translation>%1 kbps</translation>
    </message>
    <message>
        <source>dropped %1</source>
        <translation>丢帧 %1</translation>
    </message>
    <message>
        <source>congested (%1 s queued)</source>
        <translation>网络拥塞（排队 %1 秒）</translation>
    </message>
    <message>
        <source>%1 reconnects</source>
        <translation>重连 %1 次</translation>
    </message>
    <message>
        <source>retry in %1 s</source>
        <translation>%1 秒后重试</translation>
    </message>
    <message>
        <source>bitrate lowered to %1 kbps</source>
        <translation>码率已降至 %1 kbps</translation>
    </message>
    <message>
        <source>REC %1 MB</source>
        <translation>录制 %1 MB</translation>
    </message>
    <message>
        <source>Go live</source>
        <translation>开始直播</translation>
    </message>
    <message>
        <source>&amp;Studio</source>
        <translation>直播间(&amp;S)</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <source>Auto-configuration wizard…</source>
        <translation>自动配置向导…</translation>
    </message>
    <message>
        <source>Reports…</source>
        <translation>直播报告…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Stop the show?</source>
        <translation>结束直播？</translation>
    </message>
    <message>
        <source>Stop streaming to every destination and end the recording?</source>
        <translation>停止向所有平台推流并结束录制？</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在开播…</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <source>%1: the link is slow — bitrate lowered to %2 kbps</source>
        <translation>%1：网络较慢——码率已降至 %2 kbps</translation>
    </message>
    <message>
        <source>%1: the link recovered — bitrate back up to %2 kbps</source>
        <translation>%1：网络已恢复——码率回升至 %2 kbps</translation>
    </message>
    <message>
        <source>Reconnect now</source>
        <translation>立即重连</translation>
    </message>
    <message>
        <source>the sales so far</source>
        <translation>目前的销售</translation>
    </message>
    <message>
        <source>live</source>
        <translation>直播中</translation>
    </message>
    <message>
        <source>recording</source>
        <translation>录制中</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <source>reconnecting</source>
        <translation>重连中</translation>
    </message>
    <message>
        <source>stalled</source>
        <translation>卡住</translation>
    </message>
    <message>
        <source>gave up</source>
        <translation>已放弃</translation>
    </message>
    <message>
        <source>error</source>
        <translation>出错</translation>
    </message>
    <message>
        <source>off</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>弹幕</translation>
    </message>
    <message>
        <source>Sales</source>
        <translation>销售</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>图层</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Could not go live</source>
        <translation>无法开播</translation>
    </message>
    <message>
        <source>Start this destination</source>
        <translation>开启此推流目标</translation>
    </message>
    <message>
        <source>Stop this destination (the show goes on)</source>
        <translation>停止此推流目标（直播继续）</translation>
    </message>
    <message>
        <source>Canvas and device changes apply after you stop the show.</source>
        <translation>画布和设备的更改将在直播结束后生效。</translation>
    </message>
    <message>
        <source>the pinned product</source>
        <translation>讲解中的商品</translation>
    </message>
    <message>
        <source>the countdown</source>
        <translation>倒计时</translation>
    </message>
    <message>
        <source>the coupon</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>结束直播</translation>
    </message>
    <message>
        <source>Stop recording</source>
        <translation>停止录制</translation>
    </message>
    <message>
        <source>Start recording</source>
        <translation>开始录制</translation>
    </message>
    <message>
        <source>LIVE</source>
        <translation>直播中</translation>
    </message>
    <message>
        <source>REC</source>
        <translation>录制</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <source>%1 layer(s) rescaled</source>
        <translation>%1 个图层已按比例缩放</translation>
    </message>
    <message>
        <source>On air %1</source>
        <translation>已直播 %1</translation>
    </message>
    <message>
        <source>Canvas is now %1: kept %2.</source>
        <translation>画布已改为 %1：保留了%2。</translation>
    </message>
    <message>
        <source>Could not save the profile: %1</source>
        <translation>无法保存直播方案：%1</translation>
    </message>
    <message>
        <source>Recording only %1 — not streaming</source>
        <translation>仅录制 %1 — 未推流</translation>
    </message>
    <message>
        <source>No camera found: the test pattern is shown instead.</source>
        <translation>未找到摄像头：改为显示测试图案。</translation>
    </message>
    <message>
        <source>No microphone found: a muted test tone stands in for it.</source>
        <translation>未找到麦克风：以静音的测试音代替。</translation>
    </message>
    <message>
        <source>%1 The test pattern is shown instead.</source>
        <translation>%1 改为显示测试图案。</translation>
    </message>
    <message>
        <source>%1 A muted test tone stands in for it.</source>
        <translation>%1 以静音的测试音代替。</translation>
    </message>
    <message>
        <source>Layer '%1' is switched off: %2</source>
        <translation>图层“%1”已关闭：%2</translation>
    </message>
    <message>
        <source>The catalog is off: %1</source>
        <translation>商品目录未加载：%1</translation>
    </message>
    <message>
        <source>%1: no product could be imported.</source>
        <translation>%1：没有可导入的商品。</translation>
    </message>
    <message>
        <source>Feed '%1' is off: %2</source>
        <translation>数据源“%1”已关闭：%2</translation>
    </message>
    <message>
        <source>Product %1 is not pinned: there is no catalog.</source>
        <translation>商品 %1 未讲解：没有商品目录。</translation>
    </message>
    <message>
        <source>Product %1 is not pinned: it is not in the catalog.</source>
        <translation>商品 %1 未讲解：不在商品目录中。</translation>
    </message>
    <message>
        <source>Product %1 is no longer pinned: it is not in the new catalog.</source>
        <translation>商品 %1 已取消讲解：新的商品目录中没有它。</translation>
    </message>
    <message>
        <source>The QR code is off: %1 forbid(s) QR codes that lead off the platform.</source>
        <translation>二维码已关闭：%1 禁止引导到站外的二维码。</translation>
    </message>
    <message>
        <source>The QR code is off on a 9:16 canvas: viewers watch on the phone they would scan with. Set qr = "product" to show it anyway.</source>
        <translation>9:16 画布上二维码已关闭：观众正用要扫码的手机观看。设置 qr = "product" 可仍然显示。</translation>
    </message>
    <message>
        <source>Your settings were moved to the show profile %1.</source>
        <translation>你的设置已迁移到直播方案 %1。</translation>
    </message>
    <message>
        <source>no stream key: nothing in the OS keyring; get it at %1</source>
        <translation>没有推流码：系统钥匙串中没有；在这里获取：%1</translation>
    </message>
    <message>
        <source>no stream key: nothing in the OS keyring</source>
        <translation>没有推流码：系统钥匙串中没有</translation>
    </message>
    <message>
        <source>no stream key: nothing in the environment variable %1; get it at %2</source>
        <translation>没有推流码：环境变量 %1 为空；在这里获取：%2</translation>
    </message>
    <message>
        <source>no stream key: nothing in the environment variable %1</source>
        <translation>没有推流码：环境变量 %1 为空</translation>
    </message>
    <message>
        <source>no stream key at the end of the address (rtmp://host/app/KEY); get it at %1</source>
        <translation>地址末尾没有推流码（rtmp://host/app/KEY）；在这里获取：%1</translation>
    </message>
    <message>
        <source>no stream key at the end of the address (rtmp://host/app/KEY)</source>
        <translation>地址末尾没有推流码（rtmp://host/app/KEY）</translation>
    </message>
    <message>
        <source>no server address — choose a server in Settings → Destinations</source>
        <translation>没有服务器地址 — 请在 设置 → 推流目标 中选择服务器</translation>
    </message>
    <message>
        <source>Starting the preview…</source>
        <translation>正在启动预览…</translation>
    </message>
    <message>
        <source>%1 catalog row(s) not imported — show why</source>
        <translation>%1 行商品未导入 — 查看原因</translation>
    </message>
    <message>
        <source>Unpin (Esc)</source>
        <translation>取消讲解 (Esc)</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Coupon text, e.g. SAVE10 — 10% off</source>
        <translation>优惠券文字，例如 满100减10</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>Catalog rows not imported</source>
        <translation>未导入的商品行</translation>
    </message>
    <message>
        <source>Countdown</source>
        <translation>倒计时</translation>
    </message>
    <message>
        <source>Sold: %1</source>
        <translation>已售：%1</translation>
    </message>
    <message>
        <source>%1: these rows were left out; fix them in the file and open Settings → General again.</source>
        <translation>%1：以下行未导入；请在文件中修正后重新打开 设置 → 常规。</translation>
    </message>
    <message>
        <source>Stock: %1 · Sold: %2</source>
        <translation>库存：%1 · 已售：%2</translation>
    </message>
    <message>
        <source>line %1: %2</source>
        <translation>第 %1 行：%2</translation>
    </message>
    <message>
        <source>GMV</source>
        <translation>成交额</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>件数</translation>
    </message>
    <message>
        <source>Viewers</source>
        <translation>观众</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>图层</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <source>none, or #rrggbb / #rrggbbaa</source>
        <translation>无，或 #rrggbb / #rrggbbaa</translation>
    </message>
    <message>
        <source>Image file</source>
        <translation>图片文件</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文字</translation>
    </message>
    <message>
        <source>Source (testsrc, camera:0, file:PATH, url:URL)</source>
        <translation>来源（testsrc、camera:0、file:路径、url:地址）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>X</source>
        <translation>X</translation>
    </message>
    <message>
        <source>Y</source>
        <translation>Y</translation>
    </message>
    <message>
        <source>Width (0: full size)</source>
        <translation>宽度（0：原始大小）</translation>
    </message>
    <message>
        <source>Height (0: full size)</source>
        <translation>高度（0：原始大小）</translation>
    </message>
    <message>
        <source>Crop left, top, right, bottom</source>
        <translation>裁剪 左、上、右、下</translation>
    </message>
    <message>
        <source>Font size</source>
        <translation>字号</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>颜色</translation>
    </message>
    <message>
        <source>Background</source>
        <translation>背景</translation>
    </message>
    <message>
        <source>A layer needs something to show: a source, an image file or a text.</source>
        <translation>图层需要显示内容：来源、图片文件或文字。</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Add layer</source>
        <translation>添加图层</translation>
    </message>
    <message>
        <source>Colour %1 is not #rrggbb or #rrggbbaa, e.g. #ffffff</source>
        <translation>颜色 %1 不是 #rrggbb 或 #rrggbbaa，例如 #ffffff</translation>
    </message>
    <message>
        <source>No OS keyring is available on this machine, so the stream key was not saved, and it is never written to a file. To stream from this machine, start the studio with the key in the environment variable %1 (the destination now reads it from there), or install and unlock a keyring (GNOME Keyring, KWallet, macOS Keychain, Windows Credential Manager) and enter the key again.</source>
        <translation>本机没有可用的系统钥匙串，推流码未保存，也绝不会写入文件。要在本机推流，请在启动直播工作室前把推流码放进环境变量 %1（该推流目标现在从那里读取），或安装并解锁钥匙串（GNOME Keyring、KWallet、macOS 钥匙串、Windows 凭据管理器）后重新输入推流码。</translation>
    </message>
    <message>
        <source>No server URL yet</source>
        <translation>尚未填写服务器地址</translation>
    </message>
    <message>
        <source>No stream key stored</source>
        <translation>尚未保存推流码</translation>
    </message>
    <message>
        <source>Test pattern</source>
        <translation>测试图案</translation>
    </message>
    <message>
        <source>Automatic (first camera)</source>
        <translation>自动（第一个摄像头）</translation>
    </message>
    <message>
        <source>Automatic (default microphone)</source>
        <translation>自动（默认麦克风）</translation>
    </message>
    <message>
        <source>Test tone</source>
        <translation>测试音</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Destinations</source>
        <translation>推流平台</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Feeds</source>
        <translation>数据源</translation>
    </message>
    <message>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <source>Stream to this destination</source>
        <translation>推流到此平台</translation>
    </message>
    <message>
        <source>Paste the stream key (stored in the OS keyring)</source>
        <translation>粘贴推流码（保存在系统钥匙串中）</translation>
    </message>
    <message>
        <source>H.264 (every platform)</source>
        <translation>H.264（所有平台）</translation>
    </message>
    <message>
        <source>HEVC / H.265 (YouTube; its own encode, about 3× the CPU)</source>
        <translation>HEVC / H.265（YouTube；单独编码，约 3 倍 CPU）</translation>
    </message>
    <message>
        <source>Save key</source>
        <translation>保存推流码</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Video codec</source>
        <translation>视频编码</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <source>Get your stream key</source>
        <translation>获取推流码</translation>
    </message>
    <message>
        <source>Looking for hardware encoders…</source>
        <translation>正在查找硬件编码器…</translation>
    </message>
    <message>
        <source>Adapt to a slow link (recommended)</source>
        <translation>按网速自动调整（推荐）</translation>
    </message>
    <message>
        <source>Constant: drop frames on a slow link</source>
        <translation>固定码率：网速慢时丢帧</translation>
    </message>
    <message>
        <source>Adapt: on a slow uplink the bitrate follows what the link carries and climbs back when it recovers, so viewers see a softer picture instead of a frozen one.</source>
        <translation>自动调整：上行网速慢时，码率随网络实际承载能力下降，网络恢复后再逐步回升，观众看到的是稍模糊的画面，而不是卡住的画面。</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <source>Canvas</source>
        <translation>画布</translation>
    </message>
    <message>
        <source>Frame rate</source>
        <translation>帧率</translation>
    </message>
    <message>
        <source>Encoder</source>
        <translation>编码器</translation>
    </message>
    <message>
        <source>Video bitrate</source>
        <translation>视频码率</translation>
    </message>
    <message>
        <source>On a slow link</source>
        <translation>网速慢时</translation>
    </message>
    <message>
        <source>Record every show (Matroska, crash-safe)</source>
        <translation>录制每场直播（Matroska，断电不丢）</translation>
    </message>
    <message>
        <source>Default: the studio's data folder</source>
        <translation>默认：程序数据文件夹</translation>
    </message>
    <message>
        <source>No catalog: no products on screen</source>
        <translation>无商品目录：画面上不显示商品</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Recordings folder</source>
        <translation>录像文件夹</translation>
    </message>
    <message>
        <source>Catalog file</source>
        <translation>商品目录文件</translation>
    </message>
    <message>
        <source>Catalogs (*.csv *.json)</source>
        <translation>商品目录 (*.csv *.json)</translation>
    </message>
    <message>
        <source>auto uses libx264 (no hardware encoder found)</source>
        <translation>自动：使用 libx264（未找到硬件编码器）</translation>
    </message>
    <message>
        <source>no encoder found</source>
        <translation>未找到编码器</translation>
    </message>
    <message>
        <source>Key from the environment variable %1</source>
        <translation>密钥来自环境变量 %1</translation>
    </message>
    <message>
        <source>landscape 16:9</source>
        <translation>横屏 16:9</translation>
    </message>
    <message>
        <source>vertical 9:16</source>
        <translation>竖屏 9:16</translation>
    </message>
    <message>
        <source>auto uses %1 (hardware)</source>
        <translation>自动：使用 %1（硬件）</translation>
    </message>
    <message>
        <source>resolution unknown</source>
        <translation>分辨率未知</translation>
    </message>
    <message>
        <source>fps unknown</source>
        <translation>帧率未知</translation>
    </message>
    <message>
        <source>bitrate unknown</source>
        <translation>码率未知</translation>
    </message>
    <message>
        <source>keyframe interval unknown</source>
        <translation>关键帧间隔未知</translation>
    </message>
    <message>
        <source>Recommended: </source>
        <translation>推荐：</translation>
    </message>
    <message>
        <source>keyframe %1 s</source>
        <translation>关键帧 %1 秒</translation>
    </message>
    <message>
        <source>Not every destination is ready</source>
        <translation>有推流目标尚未就绪</translation>
    </message>
    <message>
        <source>Open Settings</source>
        <translation>打开设置</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The show has ended</source>
        <translation>本场直播已结束</translation>
    </message>
    <message>
        <source>Open report</source>
        <translation>打开报告</translation>
    </message>
    <message>
        <source>Open recording folder</source>
        <translation>打开录像文件夹</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>直播报告</translation>
    </message>
    <message>
        <source>No show has been recorded yet: the reports of your shows appear here.</source>
        <translation>还没有直播记录：每场直播的报告会显示在这里。</translation>
    </message>
    <message>
        <source>Only record</source>
        <translation>仅录制</translation>
    </message>
    <message>
        <source>no connection was made</source>
        <translation>未能建立连接</translation>
    </message>
    <message>
        <source>On air</source>
        <translation>在播时长</translation>
    </message>
    <message>
        <source>Go live with %n ready destination(s)</source>
        <translation>用已就绪的 %n 个目标开播</translation>
    </message>
    <message>
        <source>Get your stream key at:</source>
        <translation>在这里获取推流码：</translation>
    </message>
    <message>
        <source>(%1 off air while connecting or reconnecting)</source>
        <translation>（连接或重连中未在播 %1）</translation>
    </message>
    <message>
        <source>Top products: %1</source>
        <translation>热销商品：%1</translation>
    </message>
    <message>
        <source>Recording: %1</source>
        <translation>录像：%1</translation>
    </message>
    <message>
        <source>✓ %1: ready</source>
        <translation>✓ %1：已就绪</translation>
    </message>
    <message>
        <source>%1: never went live: %2</source>
        <translation>%1：始终未能开播：%2</translation>
    </message>
    <message>
        <source>demo</source>
        <translation>演示</translation>
    </message>
    <message>
        <source>✗ %1: %2</source>
        <translation>✗ %1：%2</translation>
    </message>
    <message>
        <source>The report could not be written: %1</source>
        <translation>无法写入报告：%1</translation>
    </message>
    <message>
        <source>Orders %1 · GMV %2 · peak viewers %3 · chat %4</source>
        <translation>订单 %1 · 成交额 %2 · 观众峰值 %3 · 弹幕 %4</translation>
    </message>
    <message>
        <source>%1: live from %2 for %3, %4 reconnect(s), %5 kbps, %6 frame(s) dropped</source>
        <translation>%1：%2 开播，持续 %3，重连 %4 次，%5 kbps，丢帧 %6</translation>
    </message>
    <message>
        <source>this is the smallest size offered</source>
        <translation>这是可选的最小尺寸</translation>
    </message>
    <message>
        <source>Anchor Studio — first-run setup</source>
        <translation>Anchor Studio — 首次设置</translation>
    </message>
    <message>
        <source>Camera and microphone</source>
        <translation>摄像头和麦克风</translation>
    </message>
    <message>
        <source>Vertical video (9:16) for phone-first platforms</source>
        <translation>竖屏视频（9:16），适合手机优先的平台</translation>
    </message>
    <message>
        <source>Where do you stream?</source>
        <translation>在哪里直播？</translation>
    </message>
    <message>
        <source>Only record for now</source>
        <translation>暂时只录制</translation>
    </message>
    <message>
        <source>Platform</source>
        <translation>平台</translation>
    </message>
    <message>
        <source>Measuring this computer</source>
        <translation>正在测试本机性能</translation>
    </message>
    <message>
        <source>Press Next to start the measurement.</source>
        <translation>点击“下一步”开始测试。</translation>
    </message>
    <message>
        <source>Proposed settings</source>
        <translation>推荐设置</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>The show is recorded; add a platform later in Settings → Destinations.</source>
        <translation>本场会被录制；之后可在 设置 → 推流目标 中添加平台。</translation>
    </message>
    <message>
        <source>a hardware encoder (%1) is here, so the largest size is proposed</source>
        <translation>本机有硬件编码器（%1），所以建议最大尺寸</translation>
    </message>
    <message>
        <source>The upload to %1 was not measured (it has no test mode that stays off air).</source>
        <translation>未测量到 %1 的上传速度（该平台没有不开播的测试模式）。</translation>
    </message>
    <message>
        <source>%1 kbps suits that size.</source>
        <translation>%1 kbps 适合这个尺寸。</translation>
    </message>
    <message>
        <source>The measurement failed: %1</source>
        <translation>测试失败：%1</translation>
    </message>
    <message>
        <source>%1 accepts up to %2 kbps.</source>
        <translation>%1 最高接受 %2 kbps。</translation>
    </message>
    <message>
        <source>The upload to %1 carried %2 kbps; the bitrate stays within 80 % of it.</source>
        <translation>到 %1 的上传实测 %2 kbps；码率保持在其 80% 以内。</translation>
    </message>
    <message>
        <source>Testing the upload to %1 (its test mode: nothing is shown live)…</source>
        <translation>正在测试到 %1 的上传（测试模式：不会开播）…</translation>
    </message>
    <message>
        <source>Timing libx264 at %1…</source>
        <translation>正在测试 libx264 %1…</translation>
    </message>
    <message>
        <source>Done. libx264 here: %1. Hardware encoders: %2.</source>
        <translation>完成。本机 libx264：%1。硬件编码器：%2。</translation>
    </message>
    <message>
        <source>libx264 encodes %1 at %2 fps here, fast enough for %3 fps with room for the preview and the sound</source>
        <translation>本机 libx264 编码 %1 可达 %2 帧/秒，足以支持 %3 帧/秒，并为预览和声音留有余量</translation>
    </message>
    <message>
        <source>Canvas %1×%2 at %3 fps, %4 kbps, encoder %5. Press Finish to use these settings.</source>
        <translation>画布 %1×%2，%3 帧/秒，%4 kbps，编码器 %5。点击“完成”使用这些设置。</translation>
    </message>
</context>
</TS>
