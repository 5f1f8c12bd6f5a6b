// The Lambda handler of rows (d), (e), (f) and (h): a small JSON body from the event (payload 2.0).
export const handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ ok: true, path: event.rawPath, id: event.pathParameters?.id ?? null }),
});
