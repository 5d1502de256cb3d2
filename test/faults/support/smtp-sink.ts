import net from 'node:net';

export interface DeliveredMail {
    from: string;
    to: string[];
    data: string;
    /** The Subject header, decoded when it is RFC 2047 base64/quoted-printable UTF-8. */
    subject: string;
}

/**
 * A minimal SMTP server (RFC 5321, no TLS, no AUTH) standing in for the shop's mail relay. A message counts as
 * delivered only once the sink has answered `250` to its data, as a real relay takes responsibility only then; a
 * connection that drops before that answer delivers nothing. `holdNext(n)` holds the answer to the next `n`
 * messages (the worker's send hangs there) until `release()`.
 */
export class SmtpSink {
    readonly delivered: DeliveredMail[] = [];
    /** Messages whose data arrived but whose sender went away before the answer (not delivered). */
    dropped = 0;
    private server: net.Server | undefined;
    private holdCount = 0;
    private holdTo: string | undefined;
    private held: Array<() => void> = [];
    private sockets = new Set<net.Socket>();
    port = 0;

    async listen(): Promise<string> {
        this.server = net.createServer(socket => this.session(socket));
        await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve));
        this.port = (this.server.address() as net.AddressInfo).port;
        return `smtp://127.0.0.1:${this.port}`;
    }

    /** Holds the answer to the next `count` messages (to a recipient matching `to`, when given). */
    holdNext(count = 1, to?: string): void {
        this.holdCount += count;
        this.holdTo = to;
    }

    /** Messages held so far whose answer is pending. */
    get heldCount(): number {
        return this.held.length;
    }

    release(): void {
        for (const resume of this.held.splice(0)) {
            resume();
        }
    }

    async close(): Promise<void> {
        this.release();
        for (const s of this.sockets) {
            s.destroy();
        }
        await new Promise<void>(resolve => (this.server ? this.server.close(() => resolve()) : resolve()));
    }

    private session(socket: net.Socket): void {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
        let buffer = '';
        let inData = false;
        let mail: { from: string; to: string[]; data: string[] } = { from: '', to: [], data: [] };
        const reply = (line: string) => {
            if (!socket.destroyed) {
                socket.write(`${line}\r\n`);
            }
        };
        reply('220 sink ESMTP');
        socket.on('data', chunk => {
            buffer += chunk.toString('utf8');
            let nl: number;
            while ((nl = buffer.indexOf('\r\n')) !== -1) {
                const line = buffer.slice(0, nl);
                buffer = buffer.slice(nl + 2);
                if (inData) {
                    if (line === '.') {
                        inData = false;
                        const message = { from: mail.from, to: mail.to, data: mail.data.join('\r\n') };
                        mail = { from: '', to: [], data: [] };
                        this.finish(socket, message, reply);
                    } else {
                        mail.data.push(line.startsWith('..') ? line.slice(1) : line);
                    }
                    continue;
                }
                const verb = line.slice(0, 4).toUpperCase();
                if (verb === 'EHLO' || verb === 'HELO') {
                    reply('250 sink');
                } else if (verb === 'MAIL') {
                    mail.from = line.replace(/^MAIL FROM:\s*/i, '');
                    reply('250 OK');
                } else if (verb === 'RCPT') {
                    mail.to.push(line.replace(/^RCPT TO:\s*<?([^>]*)>?.*$/i, '$1'));
                    reply('250 OK');
                } else if (verb === 'DATA') {
                    inData = true;
                    reply('354 go on');
                } else if (verb === 'QUIT') {
                    reply('221 bye');
                    socket.end();
                } else if (verb === 'RSET') {
                    mail = { from: '', to: [], data: [] };
                    reply('250 OK');
                } else {
                    reply('250 OK');
                }
            }
        });
    }

    private finish(
        socket: net.Socket,
        message: { from: string; to: string[]; data: string },
        reply: (line: string) => void,
    ): void {
        const deliver = () => {
            if (socket.destroyed) {
                this.dropped += 1;
                return;
            }
            this.delivered.push({ ...message, subject: subjectOf(message.data) });
            reply('250 OK queued');
        };
        if (this.holdCount > 0 && (!this.holdTo || message.to.includes(this.holdTo))) {
            this.holdCount -= 1;
            let done = false;
            const resume = () => {
                if (!done) {
                    done = true;
                    deliver();
                }
            };
            socket.once('close', () => {
                if (!done) {
                    done = true;
                    this.held = this.held.filter(h => h !== resume);
                    this.dropped += 1;
                }
            });
            this.held.push(resume);
            return;
        }
        deliver();
    }
}

function subjectOf(data: string): string {
    const match = /^Subject: (.*(?:\r\n[ \t].*)*)/im.exec(data);
    if (!match) {
        return '';
    }
    return match[1]
        .replace(/\r\n[ \t]/g, ' ')
        .replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
            enc.toLowerCase() === 'b'
                ? Buffer.from(text, 'base64').toString('utf8')
                : decodeURIComponent(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, '%$1')),
        )
        .trim();
}
