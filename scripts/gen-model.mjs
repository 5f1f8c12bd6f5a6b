#!/usr/bin/env node
// Derives src/model/service-model.generated.ts from the AWS Smithy model of apigatewayv2.
// Run by hand (`npm run gen:model`) when the model changes; the output is committed so the
// product never reads the model at build or run time.
//
// What is derived:
// - every operation: name, HTTP method, URI template, success code, input/output shapes;
// - every shape reachable from an operation: strings (with the length bounds that the model
//   only keeps in shape names such as StringWithLengthBetween1And128), enums, numbers (with
//   @range), lists, maps and structures (wire name, location: label/query/body/payload,
//   required, and the protocol a member is documented as "Supported only for").
import { readFileSync, writeFileSync } from 'node:fs';

const [, , modelPath, outPath] = process.argv;
if (!modelPath || !outPath) {
  console.error('usage: gen-model.mjs <apigatewayv2.json> <out.ts>');
  process.exit(2);
}
const model = JSON.parse(readFileSync(modelPath, 'utf8'));
const NS = 'com.amazonaws.apigatewayv2#';
const shapes = model.shapes;
const short = (id) => (id.startsWith(NS) ? id.slice(NS.length) : id.replace(/^smithy\.api#/, ''));

// Members whose documentation says "Supported only for X APIs." about one of its values rather
// than the member itself, or which AWS clients (Terraform) send for both protocols.
const SCOPE_FROM_DOCS_IGNORED = new Set([
  'CreateIntegrationRequest.IntegrationType',
  'UpdateIntegrationRequest.IntegrationType',
  'CreateAuthorizerRequest.AuthorizerType',
  'UpdateAuthorizerRequest.AuthorizerType',
  'CreateApiRequest.ApiKeySelectionExpression',
  'UpdateApiRequest.ApiKeySelectionExpression',
  'ImportApiRequest.Body',
  'ImportApiRequest.Basepath',
  'ReimportApiRequest.Body',
  'ReimportApiRequest.Basepath',
]);

const lowerFirst = (s) => s.charAt(0).toLowerCase() + s.slice(1);

function lengthFromName(name) {
  const m = /^(?:StringWithLengthBetween|UriWithLengthBetween)(\d+)And(\d+)(K?)$/.exec(name);
  if (!m) return undefined;
  const max = Number(m[2]) * (m[3] === 'K' ? 1024 : 1);
  return { min: Number(m[1]), max };
}

const out = {};
function visit(id) {
  const name = short(id);
  if (name in out || name === 'Unit') return name;
  const s = shapes[id];
  if (!s) {
    // Smithy prelude types (smithy.api#String, ...)
    const prelude = { String: 'string', Boolean: 'boolean', Integer: 'integer', Double: 'double', Timestamp: 'timestamp' };
    const t = prelude[name];
    if (!t) throw new Error(`unknown shape ${id}`);
    out[name] = { type: t };
    return name;
  }
  const traits = s.traits ?? {};
  switch (s.type) {
    case 'string': {
      const len = lengthFromName(name);
      out[name] = len ? { type: 'string', ...len } : { type: 'string' };
      break;
    }
    case 'enum':
      out[name] = { type: 'enum', values: Object.values(s.members).map((m) => m.traits['smithy.api#enumValue']) };
      break;
    case 'integer':
    case 'double': {
      const r = traits['smithy.api#range'];
      out[name] = { type: s.type, ...(r && 'min' in r ? { min: r.min } : {}), ...(r && 'max' in r ? { max: r.max } : {}) };
      break;
    }
    case 'boolean':
    case 'timestamp':
    case 'blob':
      out[name] = { type: s.type };
      break;
    case 'list':
      out[name] = { type: 'list', member: null };
      out[name].member = visit(s.member.target);
      break;
    case 'map':
      out[name] = { type: 'map', key: null, value: null };
      out[name].key = visit(s.key.target);
      out[name].value = visit(s.value.target);
      break;
    case 'structure': {
      const members = {};
      out[name] = { type: 'structure', members };
      for (const [memberName, m] of Object.entries(s.members)) {
        const t = m.traits ?? {};
        const spec = { shape: visit(m.target) };
        if ('smithy.api#httpLabel' in t) {
          spec.location = 'label';
          spec.wireName = memberName;
        } else if ('smithy.api#httpQuery' in t) {
          spec.location = 'query';
          spec.wireName = t['smithy.api#httpQuery'];
        } else if ('smithy.api#httpPayload' in t) {
          spec.location = 'payload';
        } else if ('smithy.api#httpHeader' in t) {
          spec.location = 'header';
          spec.wireName = t['smithy.api#httpHeader'];
        }
        if ('smithy.api#required' in t) spec.required = true;
        const doc = t['smithy.api#documentation'] ?? '';
        const scope = /Supported only for (HTTP|WebSocket) API/.exec(doc);
        if (scope && !SCOPE_FROM_DOCS_IGNORED.has(`${name}.${memberName}`)) {
          spec.protocol = scope[1] === 'HTTP' ? 'HTTP' : 'WEBSOCKET';
        }
        members[t['smithy.api#jsonName'] ?? lowerFirst(memberName)] = spec;
      }
      break;
    }
    default:
      throw new Error(`unsupported shape type ${s.type} for ${id}`);
  }
  return name;
}

const operations = [];
for (const [id, s] of Object.entries(shapes)) {
  if (s.type !== 'operation') continue;
  const http = s.traits['smithy.api#http'];
  operations.push({
    name: short(id),
    method: http.method,
    uri: http.uri,
    code: http.code ?? 200,
    input: s.input ? visit(s.input.target) : null,
    output: s.output ? visit(s.output.target) : null,
    errors: (s.errors ?? []).map((e) => short(e.target)),
  });
}
for (const [id, s] of Object.entries(shapes)) if (s.traits?.['smithy.api#error']) visit(id);
operations.sort((a, b) => a.name.localeCompare(b.name));

const sortedShapes = Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
const header = `// GENERATED by scripts/gen-model.mjs from the AWS apigatewayv2 Smithy model
// (${model.shapes[NS + 'ApiGatewayV2']?.version ?? ''}). Do not edit by hand: run \`npm run gen:model\`.
import type { OperationSpec, ShapeSpec } from './service-model.js';

`;
const body =
  `export const OPERATIONS: readonly OperationSpec[] = ${JSON.stringify(operations, null, 2)};\n\n` +
  `export const SHAPES: Readonly<Record<string, ShapeSpec>> = ${JSON.stringify(sortedShapes, null, 2)};\n`;
writeFileSync(outPath, header + body);
console.log(`wrote ${operations.length} operations and ${Object.keys(out).length} shapes to ${outPath}`);
