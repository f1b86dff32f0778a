/**
 * Styles live in the Shadow DOM (the host page's CSS cannot reach them, ours cannot leak out). WeUI tokens
 * with the AA fixes from UX.md: send button #018942 with white text, meta text at .6, links in green
 * bubbles #455577 underlined, error text #CC3340. px only (a host's `html { font-size }` must not matter).
 */
export const CSS = `
:host{all:initial}
.cd-root{
  --page:#EDEDED;--head:#EDEDED;--bar:#F7F7F7;--in:#FFF;--out:#95EC69;--text:rgba(0,0,0,.9);--meta:rgba(0,0,0,.6);
  --line:rgba(0,0,0,.12);--link:#576B95;--out-link:#455577;--send:#018942;--err:#FA5151;--err-text:#CC3340;
  --field:#FFF;--ring:#1A5FD0;--sys-bg:rgba(0,0,0,.06);
  font-family:system-ui,-apple-system,"Helvetica Neue","PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif;
  font-size:15px;line-height:1.6;color:var(--text);font-style:normal;font-weight:400;letter-spacing:normal;
  text-align:left;text-transform:none;-webkit-font-smoothing:antialiased;-webkit-text-size-adjust:100%;
}
@media (prefers-color-scheme:dark){.cd-root{
  --page:#111;--head:#1E1E1E;--bar:#1E1E1E;--in:#2C2C2C;--out:#3EB575;--text:rgba(255,255,255,.9);--meta:rgba(255,255,255,.6);
  --line:rgba(255,255,255,.14);--link:#8FA3D6;--field:#2C2C2C;--ring:#8AB4F8;--sys-bg:rgba(255,255,255,.08);--err-text:#FF8A8A;
}}
.cd-root *,.cd-root *::before,.cd-root *::after{box-sizing:border-box}
[hidden]{display:none!important}
button,input,textarea{font:inherit;color:inherit;margin:0}
button{cursor:pointer;background:none;border:0;padding:0;-webkit-tap-highlight-color:transparent}
:focus-visible{outline:3px solid var(--ring);outline-offset:2px}
.cd-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap}
.cd-ico{display:inline-flex;line-height:0}
.cd-launcher{position:fixed;right:calc(20px + env(safe-area-inset-right));bottom:calc(20px + env(safe-area-inset-bottom));
  z-index:2147483000;width:56px;height:56px;border-radius:50%;background:var(--send);color:#FFF;display:flex;
  align-items:center;justify-content:center;box-shadow:0 4px 16px rgba(0,0,0,.24)}
.cd-badge{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;
  background:var(--err-text);color:#FFF;font-size:12px;line-height:20px;text-align:center;font-weight:600}
.cd-panel{position:fixed;z-index:2147483001;right:calc(20px + env(safe-area-inset-right));bottom:calc(88px + env(safe-area-inset-bottom));
  width:380px;height:min(640px,calc(100vh - 120px));height:min(640px,calc(100dvh - 120px));display:flex;flex-direction:column;
  background:var(--page);border-radius:12px;overflow:hidden;box-shadow:0 8px 40px rgba(0,0,0,.28)}
@media (max-width:480px){
  .cd-panel{inset:0;width:100%;height:100vh;height:100dvh;border-radius:0;padding:env(safe-area-inset-top) env(safe-area-inset-right) 0 env(safe-area-inset-left)}
  .cd-open .cd-launcher{display:none}
}
.cd-head{flex:none;display:flex;align-items:center;min-height:52px;padding:0 4px 0 16px;background:var(--head);border-bottom:1px solid var(--line)}
.cd-titles{flex:1;min-width:0;text-align:center;padding-left:44px}
.cd-title{margin:0;font-size:17px;font-weight:600;line-height:1.4;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.cd-typing{display:block;font-size:17px;font-weight:600;line-height:1.4}
.cd-typing:empty{display:none}
.cd-is-typing .cd-title{display:none}
.cd-btn{flex:none;width:44px;height:44px;display:inline-flex;align-items:center;justify-content:center;border-radius:8px;color:var(--text)}
.cd-banner{flex:none;padding:8px 16px;font-size:14px;background:#FFF4E5;color:#7A4B00;text-align:center}
.cd-banner.cd-ok{background:#E7F6EC;color:#15602E}
.cd-banner:empty{display:none}
@media (prefers-color-scheme:dark){.cd-banner{background:#3A2E1A;color:#FFD9A0}.cd-banner.cd-ok{background:#16301F;color:#9BE3B4}}
.cd-log{flex:1;min-height:0;overflow-y:auto;overscroll-behavior:contain;padding:12px 12px 16px;-webkit-overflow-scrolling:touch}
.cd-time,.cd-sys{text-align:center;font-size:12px;color:var(--meta);margin:14px 0 10px}
.cd-sys span{display:inline-block;padding:2px 8px;border-radius:4px;background:var(--sys-bg)}
.cd-sys .cd-link{display:inline-flex;align-items:center;min-height:44px;padding:0 8px;color:var(--link);text-decoration:underline}
.cd-row{display:flex;align-items:flex-start;gap:10px;margin-top:12px}
.cd-row.cd-cont{margin-top:6px}
.cd-out{flex-direction:row-reverse}
.cd-av{flex:none;width:40px;height:40px;border-radius:6px;display:flex;align-items:center;justify-content:center;
  color:#FFF;font-size:17px;font-weight:600;overflow:hidden}
.cd-out .cd-av{background:#8C9BB0}
.cd-cont .cd-av{visibility:hidden;height:0}
.cd-main{min-width:0;max-width:70%;display:flex;flex-direction:column;align-items:flex-start}
.cd-out .cd-main{align-items:flex-end}
.cd-name{font-size:12px;color:var(--meta);margin:0 0 2px 2px;line-height:1.4}
.cd-line{display:flex;align-items:center;gap:6px;max-width:100%}
.cd-out .cd-line{flex-direction:row-reverse}
.cd-content{min-width:0;display:flex;flex-direction:column;gap:6px;align-items:inherit}
.cd-bubble{position:relative;padding:9px 12px;border-radius:4px;background:var(--in);color:var(--text);font-size:16px;
  line-height:1.6;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;min-height:42px}
.cd-out .cd-bubble{background:var(--out);color:rgba(0,0,0,.9)}
.cd-bubble a{color:var(--link);text-decoration:underline}
.cd-out .cd-bubble a{color:var(--out-link)}
.cd-row:not(.cd-cont) .cd-bubble::before{content:"";position:absolute;top:14px;width:0;height:0;border:6px solid transparent}
.cd-in:not(.cd-cont) .cd-bubble::before{left:-11px;border-right-color:var(--in)}
.cd-out:not(.cd-cont) .cd-bubble::before{right:-11px;border-left-color:var(--out)}
.cd-state{flex:none;width:28px;display:flex;align-items:center;justify-content:center;align-self:center}
.cd-state:empty{display:none}
.cd-spin{width:16px;height:16px;border-radius:50%;border:2px solid rgba(128,128,128,.35);border-top-color:#888;animation:cd-spin .8s linear infinite}
@keyframes cd-spin{to{transform:rotate(360deg)}}
@media (prefers-reduced-motion:reduce){.cd-spin{animation-duration:2.4s}}
.cd-retry{width:44px;height:44px;margin:-8px;display:flex;align-items:center;justify-content:center;border-radius:50%}
.cd-retry span{width:20px;height:20px;border-radius:50%;background:var(--err);color:#FFF;font-size:14px;font-weight:700;line-height:20px;text-align:center}
.cd-img{position:relative;display:block;border-radius:6px;overflow:hidden;min-width:44px;min-height:44px;background:var(--sys-bg);line-height:0}
.cd-img img{display:block;max-width:min(200px,100%);max-height:240px;min-width:44px;min-height:44px;object-fit:cover}
.cd-img.cd-broken{padding:12px;line-height:1.4;font-size:13px;color:var(--meta)}
.cd-prog{position:absolute;inset:0;display:flex;align-items:center;justify-content:center;background:rgba(0,0,0,.45);color:#FFF;font-size:14px;font-weight:600;line-height:1}
.cd-file{display:inline-flex;align-items:center;gap:6px;min-height:44px;padding:8px 12px;border-radius:4px;background:var(--in);color:var(--link);text-decoration:underline;text-align:left;max-width:100%;overflow-wrap:anywhere}
.cd-read{font-size:12px;color:var(--meta);margin:2px 2px 0;line-height:1.4}
.cd-pill{position:absolute;left:50%;transform:translateX(-50%);bottom:8px;display:inline-flex;align-items:center;gap:4px;min-height:44px;padding:0 16px;border-radius:22px;
  background:var(--in);color:var(--send);font-size:14px;font-weight:600;box-shadow:0 2px 10px rgba(0,0,0,.18)}
@media (prefers-color-scheme:dark){.cd-pill{color:#6FE3A0}}
.cd-logwrap{position:relative;flex:1;min-height:0;display:flex;flex-direction:column}
.cd-err{flex:none;padding:8px 16px;font-size:14px;color:var(--err-text);background:var(--bar);border-top:1px solid var(--line)}
.cd-err:empty{display:none}
.cd-offline{flex:none;padding:12px 16px;background:var(--bar);border-top:1px solid var(--line);font-size:14px}
.cd-offline p{margin:0 0 8px}
.cd-offline form{display:flex;gap:8px}
.cd-offline input{flex:1;min-width:0;height:44px;padding:0 12px;border:1px solid var(--line);border-radius:6px;background:var(--field);font-size:16px}
.cd-offline .cd-note{margin:6px 0 0;color:var(--err-text)}
.cd-offline .cd-note:empty{display:none}
.cd-offline label{display:block;font-size:13px;color:var(--meta);margin-bottom:4px}
.cd-primary{flex:none;min-width:64px;height:44px;padding:0 16px;border-radius:6px;background:var(--send);color:#FFF;font-size:16px;font-weight:600}
.cd-primary:disabled{opacity:.6;cursor:default}
.cd-bar{flex:none;display:flex;align-items:flex-end;gap:4px;padding:6px 6px calc(6px + env(safe-area-inset-bottom));background:var(--bar);border-top:1px solid var(--line)}
.cd-input{flex:1;min-width:0;display:block;height:44px;min-height:44px;max-height:121px;padding:9px 10px;border:0;border-radius:6px;
  background:var(--field);font-size:16px;line-height:1.6;resize:none;overflow-y:hidden}
.cd-input:focus-visible{outline-width:2px;outline-offset:0}
.cd-send{flex:none;min-width:60px;height:36px;margin:4px 2px;padding:0 14px;border-radius:4px;background:var(--send);color:#FFF;font-size:16px;font-weight:600;position:relative}
.cd-send::after{content:"";position:absolute;inset:-4px -2px}
.cd-drawer{flex:none;background:var(--bar);border-top:1px solid var(--line);max-height:260px;overflow-y:auto;padding:8px 8px calc(8px + env(safe-area-inset-bottom))}
.cd-emojis{display:grid;grid-template-columns:repeat(auto-fill,minmax(44px,1fr))}
.cd-emojis button{height:44px;font-size:26px;line-height:44px;border-radius:6px;font-family:"Apple Color Emoji","Segoe UI Emoji","Noto Color Emoji",sans-serif}
.cd-tiles{display:flex;gap:16px;padding:8px}
.cd-tile{display:flex;flex-direction:column;align-items:center;gap:6px;width:64px;font-size:13px;color:var(--meta)}
.cd-tile .cd-ico{width:56px;height:56px;border-radius:12px;background:var(--field);display:flex;align-items:center;justify-content:center;color:var(--text)}
.cd-viewer{position:fixed;inset:0;z-index:2147483002;background:rgba(0,0,0,.92);display:flex;flex-direction:column}
.cd-viewer .cd-btn{position:absolute;top:calc(8px + env(safe-area-inset-top));right:calc(8px + env(safe-area-inset-right));color:#FFF;z-index:1}
.cd-stage{flex:1;min-height:0;overflow:auto;display:flex;align-items:center;justify-content:center;touch-action:pinch-zoom pan-x pan-y;cursor:zoom-in;border-radius:0;width:100%}
.cd-stage img{max-width:100%;max-height:100%;object-fit:contain;display:block}
.cd-zoomed{display:block;cursor:zoom-out}
.cd-zoomed img{max-width:none;max-height:none;margin:auto}
`;
