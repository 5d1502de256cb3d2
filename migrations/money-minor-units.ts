import { QueryRunner } from 'typeorm';

/**
 * The data migration of the money change (see src/iran/money.ts): amounts were stored as whole Rials (one money
 * unit = one Rial) and are now Rial x 100, Vendure's minor-unit convention. `up` multiplies every stored amount
 * by 100, `down` divides it back. Used by the migration of each dialect; written against the schema of that
 * moment, so it does not import entities or app code.
 */
export const MONEY_FACTOR = 100;

/** Every money column (Vendure's and the plugins'), by table. */
export const MONEY_COLUMNS: Record<string, string[]> = {
    product_variant_price: ['price'],
    search_index_item: ['price', 'priceWithTax'],
    order: ['subTotal', 'subTotalWithTax', 'shipping', 'shippingWithTax'],
    order_line: ['initialListPrice', 'listPrice'],
    shipping_line: ['listPrice'],
    surcharge: ['listPrice'],
    order_modification: ['priceChange'],
    payment: ['amount'],
    refund: ['items', 'shipping', 'adjustment', 'total'],
    zibal_payment_attempt: ['amount'],
};

/** Adjustments (JSON) whose `amount` and distributed `data.itemDistribution` are money. */
export const ADJUSTMENT_COLUMNS: Record<string, string> = { order_line: 'adjustments', shipping_line: 'adjustments' };

/** Configurable operations (JSON `{code, args}`) stored per row, and which of their arguments are money. */
export const OPERATION_COLUMNS: Record<string, string[]> = {
    promotion: ['conditions', 'actions'],
    shipping_method: ['checker', 'calculator'],
    payment_method: ['checker', 'handler'],
};
export const MONEY_ARGS: Record<string, string[]> = {
    // Vendure's own
    minimum_order_amount: ['amount'],
    order_fixed_discount: ['discount'],
    order_line_fixed_discount: ['discount'],
    'default-shipping-eligibility-checker': ['orderMinimum'],
    'default-shipping-calculator': ['rate'],
    // discount-rules (amount tiers are text in Rial, unchanged)
    dr_tiered_percentage_discount: ['maxDiscount'],
    dr_capped_order_percentage_discount: ['maxDiscount'],
    // postex-shipping
    postex: ['fallbackPrice', 'freeShippingThreshold'],
    'cash-on-delivery-eligibility': ['maxOrderAmount'],
};

interface ConfigurableOperation {
    code: string;
    args: Array<{ name: string; value: string }>;
}

interface Adjustment {
    amount: number;
    data?: { itemDistribution?: number[] } & Record<string, unknown>;
}

export async function convertMoney(queryRunner: QueryRunner, direction: 'up' | 'down'): Promise<void> {
    const convert = (amount: number) =>
        direction === 'up' ? amount * MONEY_FACTOR : Math.round(amount / MONEY_FACTOR);
    const sqlConvert = (column: string) =>
        direction === 'up' ? `"${column}" * ${MONEY_FACTOR}` : `ROUND("${column}" / ${MONEY_FACTOR}.0)`;
    const param = queryRunner.connection.options.type === 'postgres' ? (n: number) => `$${n}` : () => '?';

    for (const [table, columns] of Object.entries(MONEY_COLUMNS)) {
        const set = columns.map(c => `"${c}" = ${sqlConvert(c)}`).join(', ');
        await queryRunner.query(`UPDATE "${table}" SET ${set}`);
    }

    const rewrite = async (table: string, column: string, change: (value: unknown) => unknown) => {
        const rows: Array<{ id: number; value: string | null }> = await queryRunner.query(
            `SELECT "id", "${column}" AS "value" FROM "${table}"`,
        );
        for (const row of rows) {
            if (row.value == null || row.value === '') {
                continue;
            }
            const before = JSON.parse(row.value) as unknown;
            const after = JSON.stringify(change(before));
            if (after !== row.value) {
                await queryRunner.query(`UPDATE "${table}" SET "${column}" = ${param(1)} WHERE "id" = ${param(2)}`, [
                    after,
                    row.id,
                ]);
            }
        }
    };

    for (const [table, column] of Object.entries(ADJUSTMENT_COLUMNS)) {
        await rewrite(table, column, value =>
            (value as Adjustment[]).map(adjustment => ({
                ...adjustment,
                amount: convert(adjustment.amount),
                ...(Array.isArray(adjustment.data?.itemDistribution)
                    ? { data: { ...adjustment.data, itemDistribution: adjustment.data.itemDistribution.map(convert) } }
                    : {}),
            })),
        );
    }

    const convertOperation = (operation: ConfigurableOperation): ConfigurableOperation => {
        const moneyArgs = MONEY_ARGS[operation.code] ?? [];
        return {
            ...operation,
            args: operation.args.map(arg =>
                moneyArgs.includes(arg.name) && arg.value !== '' && Number.isFinite(Number(arg.value))
                    ? { ...arg, value: String(convert(Number(arg.value))) }
                    : arg,
            ),
        };
    };
    for (const [table, columns] of Object.entries(OPERATION_COLUMNS)) {
        for (const column of columns) {
            await rewrite(table, column, value =>
                Array.isArray(value)
                    ? (value as ConfigurableOperation[]).map(convertOperation)
                    : value && typeof value === 'object'
                      ? convertOperation(value as ConfigurableOperation)
                      : value,
            );
        }
    }
}
