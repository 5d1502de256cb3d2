export { DiscountRulesPlugin } from './discount-rules.plugin';
export { RULE_CODES } from './constants';
export type { DiscountRulesPluginOptions } from './types';
