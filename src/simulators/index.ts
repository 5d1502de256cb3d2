export * from './fault-injector';
export * from './provider-urls';
export * from './simulator-server';
export * from './zibal.simulator';
export * from './smsir.simulator';
export * from './postex.simulator';
