import { withoutNullable } from './openapi-document';

describe('withoutNullable (OpenAPI 3.0 nullable to 3.1)', () => {
  it('turns a nullable typed schema into a type union with null, at any depth', () => {
    const converted = withoutNullable({
      properties: { info: { type: 'object', nullable: true, example: {} }, name: { type: 'string' } },
    });
    expect(converted).toEqual({
      properties: { info: { type: ['object', 'null'], example: {} }, name: { type: 'string' } },
    });
  });

  it('wraps an untyped nullable schema (a $ref) in anyOf with null, and leaves nullable: false out', () => {
    expect(
      withoutNullable({
        items: [
          { $ref: '#/x', nullable: true },
          { type: 'integer', nullable: false },
        ],
      }),
    ).toEqual({
      items: [{ anyOf: [{ $ref: '#/x' }, { type: 'null' }] }, { type: 'integer' }],
    });
  });
});
