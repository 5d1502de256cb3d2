/**
 * The log-secrets check: no JSON log line of an e2e run contains a secret the run used (phone numbers, OTP codes,
 * session tokens, provider keys: listed by test/metrics.e2e-spec.ts), a full Iranian mobile number or a
 * card-number-like run of 16 digits. Usage: node <built>.js <captured output> <secrets.json>
 */
import fs from 'node:fs';

const [logFile, secretsFile] = process.argv.slice(2);
const secrets: string[] = JSON.parse(fs.readFileSync(secretsFile, 'utf8'));
const lines = fs
    .readFileSync(logFile, 'utf8')
    .split('\n')
    // Only the shop's log lines (pino JSON), not the test runner's own output.
    .map(l => l.slice(l.indexOf('{"level"')))
    .filter(l => l.startsWith('{"level"'));
const problems: string[] = [];
for (const line of lines) {
    for (const secret of secrets) {
        if (line.includes(secret)) {
            problems.push(`a secret (${secret.slice(0, 4)}...) in: ${line.slice(0, 200)}`);
        }
    }
    if (/(?<![\d*])(?:\+98|0098|0)?9\d{9}(?![\d*])/.test(line.replace(/"time":"[^"]*"/, ''))) {
        problems.push(`a full mobile number in: ${line.slice(0, 200)}`);
    }
    if (/(?<!\d)\d{16}(?!\d)/.test(line)) {
        problems.push(`a card-number-like 16-digit run in: ${line.slice(0, 200)}`);
    }
}
problems.slice(0, 20).forEach(p => console.error(p));
console.log(
    `log-secrets: ${lines.length} log lines, ${secrets.length} secrets checked, ${problems.length} problem(s)`,
);
if (!lines.length) {
    console.error('no log lines captured: was LOG_FORMAT json and LOG_LEVEL debug?');
    process.exit(1);
}
process.exit(problems.length ? 1 : 0);
