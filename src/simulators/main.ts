import { loadAppConfig } from '../config/app-config';

import { ProviderSimulators } from './simulator-server';

/** `npm run simulators`: the Zibal, SMS.ir and Postex simulators as a standalone process. */
async function main(): Promise<void> {
    const app = loadAppConfig();
    const simulators = new ProviderSimulators();
    const url = await simulators.listen(app.simulatorPort, app.host);
    console.warn(
        `Provider simulators listening at ${url} (zibal: ${url}/zibal, smsir: ${url}/smsir, postex: ${url}/postex/api/v1)`,
    );
}

main().catch(e => {
    console.error(e);
    process.exit(1);
});
