import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { Logger } from '@vendure/core';
import type { Request, Response } from 'express';

import { loggerCtx, PLUGIN_INIT_OPTIONS, WIDGET_FILE } from '../constants';
import { ResolvedSupportChatOptions } from '../types';

interface Bundle {
    mtimeMs: number;
    size: number;
    body: Buffer;
    etag: string;
}

/**
 * Serves the built storefront widget at a stable URL, `GET /support-chat/widget.js`, so a storefront includes
 * it with one tag. Short max-age plus an ETag: a new release reaches shoppers within minutes, and unchanged
 * bundles cost a 304.
 */
@Controller('support-chat')
export class WidgetController {
    private bundle: Bundle | undefined;
    private warnedMissing = false;

    constructor(@Inject(PLUGIN_INIT_OPTIONS) private readonly options: ResolvedSupportChatOptions) {}

    @Get(WIDGET_FILE)
    async widget(@Req() req: Request, @Res() res: Response): Promise<void> {
        const dir = this.options.widget?.dir;
        if (!dir) {
            res.status(404).type('text/plain').send('The support chat widget is not enabled on this server.');
            return;
        }
        const bundle = await this.load(path.join(dir, WIDGET_FILE));
        if (!bundle) {
            res.status(404)
                .type('text/plain')
                .send('The support chat widget has not been built: run `npm run build`.');
            return;
        }
        res.set({
            'content-type': 'application/javascript; charset=utf-8',
            'cache-control': 'public, max-age=300',
            etag: bundle.etag,
            'x-content-type-options': 'nosniff',
            // Storefronts on other origins include it (and may isolate themselves with COEP).
            'cross-origin-resource-policy': 'cross-origin',
        });
        if (req.headers['if-none-match'] === bundle.etag) {
            res.status(304).end();
            return;
        }
        res.send(bundle.body);
    }

    /** The file as built; read again only when it changes (a new build while running). */
    private async load(file: string): Promise<Bundle | undefined> {
        let stat: { mtimeMs: number; size: number };
        try {
            stat = await fs.stat(file);
        } catch {
            if (!this.warnedMissing) {
                this.warnedMissing = true;
                Logger.warn(`Storefront widget bundle ${file} is missing: run \`npm run build\``, loggerCtx);
            }
            return undefined;
        }
        this.warnedMissing = false;
        if (this.bundle?.mtimeMs !== stat.mtimeMs || this.bundle.size !== stat.size) {
            const body = await fs.readFile(file);
            const hash = crypto.createHash('sha256').update(body).digest('base64url').slice(0, 27);
            this.bundle = { mtimeMs: stat.mtimeMs, size: stat.size, body, etag: `"${hash}"` };
        }
        return this.bundle;
    }
}
