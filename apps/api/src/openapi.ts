import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { resolve } from 'path';

/** The API's OpenAPI document, as `/api/docs` serves it. Its schemas come from the DTOs (the swagger CLI plugin). */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Crewdesk API')
    .setDescription('Helpdesk where everyone is support. Errors are `{ code, message, details? }`.')
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'A staff access token, an API key (cdk_…) or a portal token',
    })
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** The committed copy, at the repository's root. */
export const OPENAPI_FILE = resolve(process.cwd(), 'openapi.json');

export const openApiText = (doc: OpenAPIObject): string => `${JSON.stringify(doc, null, 2)}\n`;

/**
 * What differs between the committed document and the built API's: operations added, removed or changed, and
 * schemas changed (empty when they agree).
 */
export function openApiDrift(committed: OpenAPIObject | null, built: OpenAPIObject): string[] {
  if (!committed) return ['openapi.json is missing'];
  const ops = (doc: OpenAPIObject) =>
    new Map(
      Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
        Object.entries(item as Record<string, unknown>).map(([method, op]) => [
          `${method.toUpperCase()} ${path}`,
          JSON.stringify(op),
        ]),
      ),
    );
  const diff = (kind: string, a: Map<string, string>, b: Map<string, string>) => [
    ...[...b.keys()].filter((k) => !a.has(k)).map((k) => `${kind} added: ${k}`),
    ...[...a.keys()].filter((k) => !b.has(k)).map((k) => `${kind} removed: ${k}`),
    ...[...a.keys()].filter((k) => b.has(k) && a.get(k) !== b.get(k)).map((k) => `${kind} changed: ${k}`),
  ];
  const schemas = (doc: OpenAPIObject) =>
    new Map(Object.entries(doc.components?.schemas ?? {}).map(([k, v]) => [k, JSON.stringify(v)]));
  const found = [
    ...diff('operation', ops(committed), ops(built)),
    ...diff('schema', schemas(committed), schemas(built)),
  ];
  if (!found.length && openApiText(committed) !== openApiText(built)) found.push('the document’s other parts changed');
  return found;
}

export function readCommittedOpenApi(file = OPENAPI_FILE): OpenAPIObject | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as OpenAPIObject) : null;
}

export function writeOpenApi(doc: OpenAPIObject, file = OPENAPI_FILE): void {
  writeFileSync(file, openApiText(doc));
}
