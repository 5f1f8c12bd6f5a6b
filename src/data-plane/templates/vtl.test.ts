/**
 * Mapping templates checked against the outputs AWS documents for them in the developer guide,
 * "API Gateway mapping template and access logging variable reference"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html,
 * source: awsdocs/amazon-api-gateway-developer-guide doc_source/api-gateway-mapping-template-reference.md),
 * and the WebSocket variables of apigateway-websocket-api-mapping-template-reference.html.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileTemplate, TemplateError, type TemplateInput } from './vtl.js';

const base: TemplateInput = { body: '', context: {}, stageVariables: {} };
const render = (template: string, input: Partial<TemplateInput>) => compileTemplate(template)({ ...base, ...input });

describe('mapping templates (VTL)', () => {
  it('$util.parseJson: the documented errorMessage example renders 1', () => {
    // Reference, $util.parseJson(): payload, template and output as documented.
    const body = JSON.stringify({ errorMessage: JSON.stringify({ key1: 'var1', key2: { arr: [1, 2, 3] } }) });
    assert.equal(body, '{"errorMessage":"{\\"key1\\":\\"var1\\",\\"key2\\":{\\"arr\\":[1,2,3]}}"}');
    const template = `#set ($errorMessageObj = $util.parseJson($input.path('$.errorMessage')))
{
   "errorMessageObjKey2ArrVal" : $errorMessageObj.key2.arr[0]
}
`;
    assert.deepEqual(JSON.parse(render(template, { body })), { errorMessageObjKey2ArrVal: 1 });
  });

  it('$input.params / path().size() / json(): the documented /things/{id} example', () => {
    // Reference, "Example request and response using $input": POST /things/abc with three things answers
    // {"id": "abc", "count": "3", "things": {...}}. The documented template wraps $input.json in
    // $util.escapeJavaScript, whose documented rules escape quotes; the documented output shows the JSON
    // unescaped, so the fixture checks the output with $input.json('$.things') itself.
    const template = `{
    "id" : "$input.params('id')",
    "count" : "$input.path('$.things').size()",
    "things" : $input.json('$.things')
}`;
    const body = '{\n    "things" : {\n        "1" : {},\n        "2" : {},\n        "3" : {}\n    }\n}';
    const out = render(template, { body, params: { path: { id: 'abc' }, querystring: {}, header: {} } });
    assert.deepEqual(JSON.parse(out), { id: 'abc', count: '3', things: { '1': {}, '2': {}, '3': {} } });
  });

  it('$input.params(): the documented parameter mapping template passes every parameter by type', () => {
    const template = `#set($allParams = $input.params())
{
  "params" : {
    #foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
    "$type" : {
      #foreach($paramName in $params.keySet())
      "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
      #if($foreach.hasNext),#end
      #end
    }
    #if($foreach.hasNext),#end
    #end
  }
}`;
    const out = render(template, { params: { path: { path_name: 'path_value' }, querystring: { querystring_name: 'querystring_value' }, header: { header_name: 'header_value' } } });
    assert.deepEqual(JSON.parse(out), {
      params: { path: { path_name: 'path_value' }, querystring: { querystring_name: 'querystring_value' }, header: { header_name: 'header_value' } },
    });
  });

  it('$input.params(x) searches path, query string, then headers (case-insensitively); $input.body is the raw payload', () => {
    const params = { path: {}, querystring: { name: 'q' }, header: { 'X-Name': 'h' } };
    assert.equal(render(`$input.params('name')|$input.params('x-name')|$input.params('none')|$input.body`, { params, body: 'raw "text"' }), 'q|h||raw "text"');
  });

  it('$util.escapeJavaScript turns quotes into escaped ones; the documented replaceAll turns \\\' back', () => {
    // Reference, $util.escapeJavaScript(): "will turn any regular single quotes (') into escaped ones (\\')",
    // undone for JSON with $util.escapeJavaScript(data).replaceAll("\\\\'","'").
    const context = { data: `it's "x"` };
    assert.equal(render(`$util.escapeJavaScript($context.data)`, { context }), `it\\'s \\"x\\"`);
    assert.equal(render(`$util.escapeJavaScript($context.data).replaceAll("\\\\'","'")`, { context }), `it's \\"x\\"`);
  });

  it('$util.urlEncode / urlDecode / base64Encode / base64Decode', () => {
    const context = { v: 'a b&c=d/é*~' };
    assert.equal(render(`$util.urlEncode($context.v)`, { context }), 'a+b%26c%3Dd%2F%C3%A9*%7E');
    assert.equal(render(`$util.urlDecode("a+b%26c%3Dd%2F%C3%A9*%7E")`, {}), 'a b&c=d/é*~');
    assert.equal(render(`$util.base64Encode($context.v)`, { context }), Buffer.from('a b&c=d/é*~').toString('base64'));
    assert.equal(render(`$util.base64Decode("aGVsbG8=")`, {}), 'hello');
  });

  it('$context of a WebSocket message and $stageVariables', () => {
    // The WebSocket variables of apigateway-websocket-api-mapping-template-reference.html.
    const context = { connectionId: 'L0SM9cOFvHcCIhw=', eventType: 'MESSAGE', routeKey: 'echo', stage: 'prod', authorizer: { principalId: 'me', tier: 'gold' } };
    const out = render(`{"c":"$context.connectionId","e":"$context.eventType","r":"$context.routeKey","p":"$context.authorizer.principalId","t":"$context.authorizer.tier","v":"$stageVariables.color","w":"$stageVariables['color']","n":"$context.nothing"}`, {
      context,
      stageVariables: { color: 'blue' },
    });
    assert.deepEqual(JSON.parse(out), { c: 'L0SM9cOFvHcCIhw=', e: 'MESSAGE', r: 'echo', p: 'me', t: 'gold', v: 'blue', w: 'blue', n: '' });
  });

  it('$input.path: wildcards and .. give lists, missing paths render empty, $input.json of nothing is empty', () => {
    const body = JSON.stringify({ pets: [{ id: 1, type: 'dog' }, { id: 2, type: 'cat' }] });
    assert.equal(render(`$input.json('$.pets[*].type')`, { body }), '["dog","cat"]');
    assert.equal(render(`$input.json('$..id')`, { body }), '[1,2]');
    assert.equal(render(`$input.path('$.pets[-1].type')`, { body }), 'cat');
    assert.equal(render(`#foreach($p in $input.path('$.pets'))$p.id#if($foreach.hasNext),#end#end`, { body }), '1,2');
    assert.equal(render(`"$input.path('$.missing')"|$input.json('$.missing')|`, { body }), '""||');
  });

  it('a template that cannot be parsed is a TemplateError at compile time; a bad JSONPath at render time', () => {
    assert.throws(() => compileTemplate('#if($a'), TemplateError);
    assert.throws(() => compileTemplate(`$input.path('pets')`)({ ...base, body: '{}' }), TemplateError);
  });

  it('#set variables do not leak from one rendering to the next', () => {
    const t = compileTemplate(`#if($input.body == "a")#set($x = "set")#end$x`);
    assert.equal(t({ ...base, body: 'a' }), 'set');
    assert.equal(t({ ...base, body: 'b' }), '');
  });
});
