#!/usr/bin/env node
// A DynamoDB stand-in for the chat example, in memory: just enough of DynamoDB's JSON protocol
// (POST /, X-Amz-Target: DynamoDB_20120810.<Operation>) for the AWS SDK to store, read, list and
// delete items: PutItem, GetItem, DeleteItem, Scan, CreateTable, DescribeTable, ListTables.
// Anything else (conditions, filters, queries, updates) is refused with a 400, never ignored.
// Signatures are not checked.
//
//   node examples/chat/local-table.mjs [--port 8000] [--host 127.0.0.1] [--table connections=connectionId ...]
//
// The default table is the chat's: `connections`, partition key `connectionId` (string). Point an
// AWS SDK at it with AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000 (examples/chat/gatehouse.yaml).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8000' },
    host: { type: 'string', default: '127.0.0.1' },
    table: { type: 'string', multiple: true, default: ['connections=connectionId'] },
  },
});

/** name -> { key: partition key attribute, created: epoch seconds, items: Map<key value, item> } */
const tables = new Map();
const addTable = (name, key) => tables.set(name, { key, created: Date.now() / 1000, items: new Map() });
for (const spec of values.table) {
  const [name, key] = spec.split('=');
  if (!name || !key) throw new Error(`--table ${spec}: write --table NAME=PARTITION_KEY`);
  addTable(name, key);
}

class DynamoError extends Error {
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}
const validation = (message) => new DynamoError('ValidationException', message);

const tableOf = (input) => {
  const table = tables.get(input.TableName);
  if (!table) throw new DynamoError('ResourceNotFoundException', `Requested resource not found: Table: ${input.TableName} not found`);
  return table;
};

/** The item's partition key value as a map key (the attribute value's type and value). */
const keyOf = (table, attributes, what) => {
  const value = attributes?.[table.key];
  const [type, v] = value ? (Object.entries(value)[0] ?? []) : [];
  if (!['S', 'N', 'B'].includes(type)) throw validation(`One or more parameter values were invalid: Missing the key ${table.key} in the ${what}`);
  return `${type}:${v}`;
};

/** Refuses the parameters this stand-in does not act on. */
const refuse = (input, names) => {
  for (const name of names) if (input[name] !== undefined) throw validation(`local-table.mjs does not support ${name}`);
};

/** ProjectionExpression of top-level attribute names (`a, #b`), the only kind supported. */
const project = (item, input) => {
  if (!input.ProjectionExpression) return item;
  const names = input.ProjectionExpression.split(',').map((n) => n.trim()).map((n) => (n.startsWith('#') ? input.ExpressionAttributeNames?.[n] : n));
  if (names.some((n) => !n || /[.[\]]/.test(n))) throw validation('local-table.mjs supports ProjectionExpression of top-level attribute names only');
  return Object.fromEntries(Object.entries(item).filter(([k]) => names.includes(k)));
};

const describe = (name, table) => ({
  TableName: name,
  TableStatus: 'ACTIVE',
  KeySchema: [{ AttributeName: table.key, KeyType: 'HASH' }],
  AttributeDefinitions: [{ AttributeName: table.key, AttributeType: 'S' }],
  CreationDateTime: table.created,
  ItemCount: table.items.size,
  TableArn: `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`,
});

const operations = {
  PutItem(input) {
    refuse(input, ['ConditionExpression', 'Expected', 'ConditionalOperator']);
    const table = tableOf(input);
    const key = keyOf(table, input.Item, 'item');
    const old = table.items.get(key);
    table.items.set(key, input.Item);
    return input.ReturnValues === 'ALL_OLD' && old ? { Attributes: old } : {};
  },
  GetItem(input) {
    const table = tableOf(input);
    const item = table.items.get(keyOf(table, input.Key, 'key'));
    return item ? { Item: project(item, input) } : {};
  },
  DeleteItem(input) {
    refuse(input, ['ConditionExpression', 'Expected', 'ConditionalOperator']);
    const table = tableOf(input);
    const key = keyOf(table, input.Key, 'key');
    const old = table.items.get(key);
    table.items.delete(key);
    return input.ReturnValues === 'ALL_OLD' && old ? { Attributes: old } : {};
  },
  Scan(input) {
    refuse(input, ['FilterExpression', 'ScanFilter', 'Segment', 'TotalSegments', 'ExclusiveStartKey', 'Limit', 'IndexName']);
    const items = [...tableOf(input).items.values()].map((item) => project(item, input));
    return input.Select === 'COUNT' ? { Count: items.length, ScannedCount: items.length } : { Items: items, Count: items.length, ScannedCount: items.length };
  },
  CreateTable(input) {
    if (tables.has(input.TableName)) throw new DynamoError('ResourceInUseException', `Table already exists: ${input.TableName}`);
    const hash = input.KeySchema?.find((k) => k.KeyType === 'HASH');
    if (!hash || input.KeySchema.length !== 1) throw validation('local-table.mjs supports tables with a partition key only');
    addTable(input.TableName, hash.AttributeName);
    return { TableDescription: describe(input.TableName, tables.get(input.TableName)) };
  },
  DescribeTable(input) {
    return { Table: describe(input.TableName, tableOf(input)) };
  },
  ListTables() {
    return { TableNames: [...tables.keys()].sort() };
  },
};

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('DynamoDB_20120810.') ? target.slice('DynamoDB_20120810.'.length) : '';
    let status = 200;
    let body;
    try {
      const run = Object.hasOwn(operations, operation) ? operations[operation] : undefined;
      if (req.method !== 'POST' || !run) throw new DynamoError('UnknownOperationException', `local-table.mjs does not implement ${operation || req.method + ' ' + req.url}`);
      let input;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        throw new DynamoError('SerializationException', 'the body is not JSON');
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new DynamoError('SerializationException', 'the body is not a JSON object');
      body = run(input);
      console.log(`${operation} ${input.TableName ?? ''} ${JSON.stringify(input.Item ?? input.Key ?? {})}`.trimEnd());
    } catch (err) {
      if (!(err instanceof DynamoError)) throw err;
      status = 400;
      body = { __type: `com.amazonaws.dynamodb.v20120810#${err.type}`, message: err.message };
      console.log(`${operation || '-'} refused: ${err.type}: ${err.message}`);
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() });
    res.end(text);
  });
});

server.listen(Number(values.port), values.host, () => {
  const { port } = server.address();
  const list = [...tables].map(([name, t]) => `${name} (key ${t.key})`).join(', ');
  console.log(`local DynamoDB tables ${list} at http://${values.host}:${port}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
