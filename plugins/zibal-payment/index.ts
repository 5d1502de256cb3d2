export * from './zibal-payment.plugin';
export * from './types';
export { zibalPaymentHandler } from './config/zibal-payment.handler';
export { ZibalService, payableAmount } from './service/zibal.service';
export { ZibalClient } from './service/zibal.client';
export { ZibalPaymentAttempt } from './entities/zibal-payment-attempt.entity';
export { zibalPaymentUiExtension } from './ui-extension';
