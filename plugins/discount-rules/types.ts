/** Options of {@link DiscountRulesPlugin}. */
export interface DiscountRulesPluginOptions {
    /**
     * The clock the time-window rules read. Default: the system clock. Tests inject a fixed time so they do
     * not depend on when they run.
     */
    now?: () => Date;
    /**
     * Time zone of weekly windows and Jalali campaign periods. Default `Asia/Tehran`; the offset comes from
     * the tz database (Iran has no DST since 2022), never from a hard-coded +03:30.
     */
    timeZone?: string;
}

export type ResolvedDiscountRulesOptions = Required<DiscountRulesPluginOptions>;
