export { DiscountRulesPlugin } from './discount-rules.plugin';
export { DISCOUNT_ALREADY_USED, RULE_CODES } from './constants';
export { DiscountClaim } from './entities/discount-claim.entity';
export type { DiscountRulesPluginOptions } from './types';
