export * from './sms-otp.plugin';
export * from './types';
export { SMS_OTP_STRATEGY_NAME, isPlaceholderEmail, readOtpLogPermission } from './constants';
export { OtpChallenge } from './entities/otp-challenge.entity';
export { SmsOtpService } from './service/sms-otp.service';
export { SmsirClient } from './service/smsir.client';
export type { SmsirFailure, SmsirSendResult } from './service/smsir.client';
export { SmsOtpAuthenticationStrategy } from './config/sms-otp-authentication.strategy';
