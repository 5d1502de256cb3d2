import fs from 'node:fs';
import path from 'node:path';

import { AppConfig } from '../config/app-config';

export interface SentEmail {
    recipient: string;
    subject: string;
    body: string;
}

/**
 * The emails a development-mode server wrote so far (the EmailPlugin's file transport, one JSON file per email,
 * next to the assets folder). A file still being written is skipped: the caller polls again.
 */
export function sentEmails(app: Pick<AppConfig, 'assetsDir'>): SentEmail[] {
    const outbox = path.join(path.dirname(app.assetsDir), 'emails');
    if (!fs.existsSync(outbox)) {
        return [];
    }
    return fs.readdirSync(outbox).flatMap(file => {
        try {
            return [JSON.parse(fs.readFileSync(path.join(outbox, file), 'utf8')) as SentEmail];
        } catch {
            return [];
        }
    });
}
