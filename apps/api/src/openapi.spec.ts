import { OpenAPIObject } from '@nestjs/swagger';
import { openApiDrift } from './openapi';

const doc = (paths: OpenAPIObject['paths'], schemas: Record<string, object> = {}): OpenAPIObject => ({
  openapi: '3.0.0',
  info: { title: 'Crewdesk API', version: '1' },
  paths,
  components: { schemas },
});

describe('openApiDrift', () => {
  const base = doc(
    { '/api/v1/tickets': { get: { responses: {} }, post: { responses: {} } } },
    { CreateTicketDto: { type: 'object', properties: { subject: { type: 'string' } } } },
  );

  it('finds nothing when the documents agree', () => {
    expect(openApiDrift(base, JSON.parse(JSON.stringify(base)))).toEqual([]);
  });

  it('names operations added, removed and changed, and schemas changed', () => {
    const built = doc(
      {
        '/api/v1/tickets': { get: { responses: {}, summary: 'List' } },
        '/api/v1/teams': { get: { responses: {} } },
      },
      { CreateTicketDto: { type: 'object', properties: { subject: { type: 'string', maxLength: 500 } } } },
    );
    expect(openApiDrift(base, built)).toEqual([
      'operation added: GET /api/v1/teams',
      'operation removed: POST /api/v1/tickets',
      'operation changed: GET /api/v1/tickets',
      'schema changed: CreateTicketDto',
    ]);
  });

  it('notices a change outside operations and schemas, and a missing file', () => {
    expect(openApiDrift(base, { ...base, info: { title: 'Crewdesk API', version: '2' } })).toEqual([
      'the document’s other parts changed',
    ]);
    expect(openApiDrift(null, base)).toEqual(['openapi.json is missing']);
  });
});
