import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import {
    Job,
    JobQueue,
    JobQueueService,
    Logger,
    ProcessContext,
    TransactionalConnection,
} from '@vendure/core';

import { loggerCtx, PLUGIN_INIT_OPTIONS, SYNC_PLACES_QUEUE } from '../constants';
import { PostexCity, PostexProvince } from '../entities/postex-place.entity';
import { PostexShippingOptions } from '../types';

import { canonicalProvinceName, normalizePlaceName } from './place-matching';
import { PostexClient } from './postex.client';

export interface AddressLike {
    countryCode?: string | null;
    province?: string | null;
    city?: string | null;
}

interface PlaceIndex {
    provinces: PostexProvince[];
    cities: PostexCity[];
    byProvinceAndCity: Map<string, PostexCity>;
    byCityName: Map<string, PostexCity[]>;
    loadedAt: number;
}

const INDEX_TTL_MS = 10 * 60_000;
const EMPTY_RETRY_MS = 1_000;

/**
 * Postex's provinces and cities: synced into the database by a worker job, and matched against shipping
 * addresses from an in-memory index (reloaded every 10 minutes) so eligibility checks cost no query.
 */
@Injectable()
export class PostexPlacesService implements OnApplicationBootstrap {
    private queue: JobQueue<{ reason: string }>;
    private index: PlaceIndex | undefined;
    private loading: Promise<PlaceIndex> | undefined;

    constructor(
        private readonly connection: TransactionalConnection,
        private readonly jobQueueService: JobQueueService,
        private readonly processContext: ProcessContext,
        @Inject(PLUGIN_INIT_OPTIONS) private readonly options: PostexShippingOptions,
        private readonly client: PostexClient,
    ) {}

    async onApplicationBootstrap(): Promise<void> {
        this.queue = await this.jobQueueService.createQueue({
            name: SYNC_PLACES_QUEUE,
            process: async (job: Job<{ reason: string }>) => this.sync(job.data.reason),
        });
        if (this.processContext.isServer) {
            const count = await this.connection.rawConnection.getRepository(PostexCity).count();
            if (count === 0) {
                await this.enqueueSync('empty-table');
            }
        }
    }

    async enqueueSync(reason: string): Promise<void> {
        await this.queue.add({ reason }, { retries: 5 });
    }

    /** Upserts every province and city Postex knows and removes the ones it dropped. Idempotent. */
    async sync(reason = 'manual'): Promise<{ provinces: number; cities: number }> {
        const [provinces, cities] = await Promise.all([this.client.provinces(), this.client.cities()]);
        if (!provinces.ok || !cities.ok) {
            const message = !provinces.ok ? provinces.message : !cities.ok ? cities.message : '';
            Logger.warn(`Postex places sync failed (${reason}): ${message}`, loggerCtx);
            throw new Error(`Postex places sync failed: ${message}`);
        }
        await this.connection.rawConnection.transaction(async manager => {
            const provinceRepo = manager.getRepository(PostexProvince);
            const cityRepo = manager.getRepository(PostexCity);
            const existingProvinces = new Map((await provinceRepo.find()).map(p => [p.code, p]));
            await provinceRepo.save(
                provinces.data.map(p =>
                    Object.assign(existingProvinces.get(p.code) ?? new PostexProvince(), {
                        code: p.code,
                        name: p.name,
                        normalizedName: canonicalProvinceName(p.name),
                    }),
                ),
                { chunk: 200 },
            );
            const existingCities = new Map((await cityRepo.find()).map(c => [c.code, c]));
            await cityRepo.save(
                cities.data.map(c =>
                    Object.assign(existingCities.get(c.code) ?? new PostexCity(), {
                        code: c.code,
                        name: c.name,
                        normalizedName: normalizePlaceName(c.name),
                        provinceCode: c.provinceCode,
                    }),
                ),
                { chunk: 200 },
            );
            const cityCodes = new Set(cities.data.map(c => c.code));
            const stale = [...existingCities.values()].filter(c => !cityCodes.has(c.code));
            if (stale.length) {
                await cityRepo.remove(stale);
            }
            const provinceCodes = new Set(provinces.data.map(p => p.code));
            const staleProvinces = [...existingProvinces.values()].filter(p => !provinceCodes.has(p.code));
            if (staleProvinces.length) {
                await provinceRepo.remove(staleProvinces);
            }
        });
        this.index = undefined;
        Logger.info(
            `Postex places synced (${reason}): ${provinces.data.length} provinces, ${cities.data.length} cities`,
            loggerCtx,
        );
        return { provinces: provinces.data.length, cities: cities.data.length };
    }

    async provinces(): Promise<PostexProvince[]> {
        return (await this.getIndex()).provinces;
    }

    async cities(provinceCode?: number | null): Promise<PostexCity[]> {
        const { cities } = await this.getIndex();
        return provinceCode == null ? cities : cities.filter(c => c.provinceCode === provinceCode);
    }

    /** The Postex city of an Iranian address, matching normalised names (province + city, or a unique city). */
    async resolveCity(address: AddressLike | null | undefined): Promise<PostexCity | undefined> {
        if (!address?.city || (address.countryCode && address.countryCode.toUpperCase() !== 'IR')) {
            return undefined;
        }
        const index = await this.getIndex();
        const city = normalizePlaceName(address.city);
        const province = canonicalProvinceName(address.province);
        const exact = index.byProvinceAndCity.get(`${province}|${city}`);
        if (exact) {
            return exact;
        }
        const sameName = index.byCityName.get(city) ?? [];
        return sameName.length === 1 && !address.province ? sameName[0] : undefined;
    }

    private async getIndex(): Promise<PlaceIndex> {
        const now = Date.now();
        const index = this.index;
        const ttl = index && index.cities.length === 0 ? EMPTY_RETRY_MS : INDEX_TTL_MS;
        if (index && now - index.loadedAt < ttl) {
            return index;
        }
        if (!this.loading) {
            this.loading = this.load().finally(() => (this.loading = undefined));
        }
        return this.loading;
    }

    private async load(): Promise<PlaceIndex> {
        const provinces = await this.connection.rawConnection
            .getRepository(PostexProvince)
            .find({ order: { code: 'ASC' } });
        const cities = await this.connection.rawConnection
            .getRepository(PostexCity)
            .find({ order: { code: 'ASC' } });
        const provinceName = new Map(provinces.map(p => [p.code, p.normalizedName]));
        const byProvinceAndCity = new Map<string, PostexCity>();
        const byCityName = new Map<string, PostexCity[]>();
        for (const c of cities) {
            byProvinceAndCity.set(`${provinceName.get(c.provinceCode) ?? ''}|${c.normalizedName}`, c);
            byCityName.set(c.normalizedName, [...(byCityName.get(c.normalizedName) ?? []), c]);
        }
        this.index = { provinces, cities, byProvinceAndCity, byCityName, loadedAt: Date.now() };
        return this.index;
    }
}
