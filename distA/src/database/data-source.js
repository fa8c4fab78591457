import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../libs/database/src/index.js';
import { migrations } from '../../migrations/index.js';
import { entities } from './entities.js';
/** A data source for scripts (migration CLI, benchmarks, tests): same entities and migrations as the app. */
export function createDataSource(url, poolSize = 4, applicationName = 'holdfast-cli') {
    return new DataSource(buildDataSourceOptions({ url, poolSize, entities, migrations, applicationName }));
}
//# sourceMappingURL=data-source.js.map