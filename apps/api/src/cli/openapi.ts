import { createApp } from '../bootstrap';
import { OPENAPI_FILE, openApiDocument, openApiDrift, readCommittedOpenApi, writeOpenApi } from '../openapi';

/**
 * Writes the built API's OpenAPI document to openapi.json, or with `check` compares it with the committed one and
 * answers 1 when they differ (CI runs it after the build). Only a build has the DTO schemas: the swagger CLI plugin
 * adds them when `nest build` compiles.
 */
export async function openApi(check: boolean): Promise<number> {
  const app = await createApp();
  try {
    const built = openApiDocument(app);
    const operations = Object.values(built.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    if (!check) {
      writeOpenApi(built);
      console.log(`✔ wrote ${OPENAPI_FILE} (${operations} operations)`);
      return 0;
    }
    const drift = openApiDrift(readCommittedOpenApi(), built);
    if (!drift.length) {
      console.log(`✔ openapi.json matches the built API (${operations} operations)`);
      return 0;
    }
    console.error(
      `✖ openapi.json differs from the built API:\n${drift.map((d) => `    ${d}`).join('\n')}\n` +
        '  Run `npm run openapi` and commit openapi.json and the console types it writes.',
    );
    return 1;
  } finally {
    await app.close();
  }
}
