import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { readFile } from 'fs/promises';
import { resolve } from 'path';
import { AppError, ErrorCode } from '@crewdesk/common';
import { Public } from '@crewdesk/auth';

/** Where `npm run build:widget` writes the widget (relative to the working directory, the repo root). */
export const WIDGET_BUNDLE = resolve(process.env.WIDGET_DIST ?? 'apps/widget/dist', 'widget.js');

/** Serves the embeddable script and a page to try it on. */
@ApiExcludeController()
@Controller()
@Public()
export class WidgetAssetsController {
  @Get('widget.js')
  @Header('cache-control', 'public, max-age=300')
  async script(@Res({ passthrough: true }) reply: { header(n: string, v: string): unknown }) {
    try {
      const js = await readFile(WIDGET_BUNDLE);
      reply.header('content-type', 'application/javascript; charset=utf-8');
      reply.header('cross-origin-resource-policy', 'cross-origin');
      return js;
    } catch {
      throw new AppError(ErrorCode.NOT_FOUND, 'The widget is not built: run `npm run build:widget`');
    }
  }

  /** `?workspace=<slug>` tries another workspace than `demo`. */
  @Get('widget-demo')
  @Header('content-type', 'text/html; charset=utf-8')
  demo(@Query('workspace') workspace?: string): string {
    const slug = typeof workspace === 'string' && /^[a-z0-9-]{1,48}$/.test(workspace) ? workspace : 'demo';
    return DEMO_PAGE.replaceAll('data-workspace="demo"', `data-workspace="${slug}"`);
  }
}

const DEMO_PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
  <title>Crewdesk widget demo</title>
  <style>
    body { font: 16px/1.6 system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
    main { max-width: 720px; margin: 0 auto; padding: 48px 24px; }
    code { background: #eaeef2; padding: 2px 6px; border-radius: 4px; }
  </style>
</head>
<body>
  <main>
    <h1>Acme 商城 · Crewdesk widget demo</h1>
    <p>This page embeds the chat widget of the demo workspace, as any company site would:</p>
    <p><code>&lt;script src="/widget.js" data-workspace="demo" async&gt;&lt;/script&gt;</code></p>
    <p>Open the chat bubble at the bottom right and write a message. Open the <a href="/" target="_blank">console</a>
       in another window as an agent (workspace <code>demo</code>, <code>wang@demo.crewdesk.dev</code> /
       <code>crewdesk-demo</code>) to see it arrive and answer it.</p>
  </main>
  <script src="/widget.js" data-workspace="demo" async></script>
</body>
</html>`;
