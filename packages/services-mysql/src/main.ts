// Standalone entry of the MySQL service (the bundle a decky container runs): environment in,
// RFC 5424 events out on stdout (and LOG_TARGET).
import { runServiceMain } from '@decnet/decky-kit';
import { service } from './index.js';

await runServiceMain(service);
