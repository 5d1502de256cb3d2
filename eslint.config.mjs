import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
    {
        ignores: [
            'node_modules/**',
            'dist/**',
            'data/**',
            'migrations/**',
            'static/**',
            'admin-ui/**',
            'loadtest-report/**',
        ],
    },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            '@typescript-eslint/no-unused-vars': [
                'error',
                { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
            ],
            '@typescript-eslint/no-explicit-any': 'error',
            'no-console': ['error', { allow: ['warn', 'error'] }],
        },
    },
    {
        files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'scripts/**/*.ts'],
        rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
    },
    {
        // CommonJS helpers loaded with `node -r` (scripts/ts-register.cjs).
        files: ['**/*.cjs'],
        languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'readonly' } },
        rules: { '@typescript-eslint/no-require-imports': 'off' },
    },
);
