/**
 * Crewdesk chat widget. Embed with
 *   <script src="https://help.example.com/widget.js" data-workspace="demo" async></script>
 * See apps/widget/README.md.
 */
import { type PreConfig, readConfig } from './config';
import { Widget } from './widget';

// Read while this script runs: document.currentScript is null once any callback runs.
const script =
  (document.currentScript as HTMLScriptElement | null) ??
  document.querySelector<HTMLScriptElement>('script[data-workspace][src*="widget"]');

interface CrewdeskGlobal extends PreConfig {
  open?: () => void;
  close?: () => void;
  toggle?: () => void;
  /** Forget this browser's visitor (call it when your user logs out). */
  reset?: () => void;
  loaded?: boolean;
}

const w = window as unknown as { Crewdesk?: CrewdeskGlobal };

function boot(): void {
  const api = (w.Crewdesk ??= {});
  if (api.loaded) return; // the script was included twice
  const cfg = readConfig(script, api);
  if (!cfg) return;
  const widget = new Widget(cfg);
  widget.mount(document.body);
  Object.assign(api, {
    loaded: true,
    open: () => widget.open(),
    close: () => widget.close(),
    toggle: () => widget.toggle(),
    reset: () => widget.reset(),
  });
}

if (document.body) boot();
else document.addEventListener('DOMContentLoaded', boot, { once: true });
