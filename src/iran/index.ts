export * from './digits';
export * from './mobile';
export * from './national-code';
export * from './money';
export * from './provinces';
