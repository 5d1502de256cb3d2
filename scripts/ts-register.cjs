// Lets `node -r ./scripts/ts-register.cjs scripts/x.ts` run the TypeScript sources directly, compiled file by
// file with SWC (as the tests are: decorator metadata included), so a script needs no `tsc` build first.
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
    const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
        filename,
        sourceMaps: 'inline',
        module: { type: 'commonjs' },
        jsc: {
            target: 'es2022',
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        },
    });
    module._compile(code, filename);
};
