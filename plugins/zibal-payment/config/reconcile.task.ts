import { ScheduledTask } from '@vendure/core';

import { ZIBAL_RECONCILE_TASK_ID } from '../constants';
import { ZibalService } from '../service/zibal.service';

/** Runs on the worker: settles payments whose shopper never reached the callback, expires abandoned ones. */
export const zibalReconcileTask = new ScheduledTask({
    id: ZIBAL_RECONCILE_TASK_ID,
    description: 'Inquire pending Zibal payments: settle the paid ones, expire the abandoned ones',
    schedule: '*/5 * * * *',
    preventOverlap: true,
    execute: async ({ injector }) => injector.get(ZibalService).reconcile(),
});
