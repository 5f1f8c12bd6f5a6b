import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExampleFile, parseRecordedJson } from './rst.js';
import { splitShellWords } from './shell.js';

const EXAMPLE = `**To import an HTTP API**

The following \`\`import-api\`\` example creates an HTTP API. ::

    aws apigatewayv2 import-api \\
        --body file://api-definition.yaml \\
        --route-selection-expression '$request.body.action' 

Contents of \`\`api-definition.yaml\`\`::

    openapi: 3.0.1
    info:
        title: My Lambda API

Output::
    
    {
        "Name": "My Lambda API",
        "Tags": {}
    }

**To delete it**

The following example deletes it. ::

    aws apigatewayv2 delete-api \\
        --api-id a1b2c3d4

This command produces no output.
`;

describe('parseExampleFile', () => {
  it('reads commands with continuations, their outputs, and file contents', () => {
    const { commands, files } = parseExampleFile(EXAMPLE);
    assert.deepEqual(
      commands.map((c) => [c.index, c.title, c.operation, c.args, c.output]),
      [
        [1, 'To import an HTTP API', 'import-api', ['--body', 'file://api-definition.yaml', '--route-selection-expression', '$request.body.action'], '{\n    "Name": "My Lambda API",\n    "Tags": {}\n}'],
        [2, 'To delete it', 'delete-api', ['--api-id', 'a1b2c3d4'], undefined],
      ],
    );
    assert.equal(files.get('api-definition.yaml'), 'openapi: 3.0.1\ninfo:\n    title: My Lambda API\n');
  });

  it('joins continuations inside quotes, as the routing-rule examples intend', () => {
    const { commands } = parseExampleFile("x ::\n\n    aws apigatewayv2 create-routing-rule \\\n        --conditions '[ \\\n            { \"A\": 1 } \\\n        ]'\n");
    assert.deepEqual(JSON.parse(commands[0]?.args[1] ?? ''), [{ A: 1 }]);
  });
});

describe('parseRecordedJson', () => {
  it('keeps valid JSON as is', () => {
    assert.deepEqual(parseRecordedJson('{"a": [1, 2], "b": "x"}'), { value: { a: [1, 2], b: 'x' }, repaired: false });
  });

  it('repairs the commas the hand-edited recordings lost or gained', () => {
    const text = '{\n  "Items": [\n    {\n      "Key": "myApi"\n      "Stage": "test"\n    }\n    {\n      "Ok": true\n    },\n  ]\n}';
    assert.deepEqual(parseRecordedJson(text), { value: { Items: [{ Key: 'myApi', Stage: 'test' }, { Ok: true }] }, repaired: true });
  });
});

describe('splitShellWords', () => {
  it('follows POSIX quoting without expansion', () => {
    assert.deepEqual(splitShellWords(`a 'b c' "d \\"e\\" $f" g\\ h '$default'`), ['a', 'b c', 'd "e" $f', 'g h', '$default']);
    assert.deepEqual(splitShellWords("x ''"), ['x', '']);
  });
});
