import type { Identity } from './api';
import { type Lang, pickLang } from './i18n';

/** What a host page may set on `window.Crewdesk` before the script loads. */
export interface PreConfig {
  workspace?: string;
  api?: string;
  locale?: string;
  identity?: Partial<Identity>;
}

export interface WidgetConfig {
  workspace: string;
  /** API base URL without a trailing slash, e.g. https://help.example.com */
  api: string;
  identity?: Identity;
  lang: Lang;
}

/**
 * Attributes on the script tag win over `window.Crewdesk`. The API base defaults to the origin the script
 * was loaded from (`<script src="https://host/widget.js">` -> `https://host`).
 */
export function readConfig(script: HTMLScriptElement | null, pre: PreConfig): WidgetConfig | null {
  const ds: DOMStringMap = script?.dataset ?? {};
  const workspace = ds.workspace ?? pre.workspace;
  if (!workspace) {
    console.error('[Crewdesk] The widget needs data-workspace="<your workspace>" on its script tag.');
    return null;
  }
  const from = script?.src || location.href;
  const given = ds.api ?? pre.api;
  const api = (given ? new URL(given, from).href : new URL(from).origin).replace(/\/+$/, '');
  const id = pre.identity ?? {};
  const userId = ds.userId ?? id.userId;
  const hmac = ds.userHmac ?? id.hmac;
  const identity =
    userId && hmac
      ? {
          userId: String(userId),
          hmac: String(hmac),
          ...((ds.userName ?? id.name) ? { name: String(ds.userName ?? id.name) } : {}),
          ...((ds.userEmail ?? id.email) ? { email: String(ds.userEmail ?? id.email) } : {}),
        }
      : undefined;
  return { workspace, api, identity, lang: pickLang(ds.locale ?? pre.locale ?? navigator.language) };
}
