import * as pulumi from '@pulumi/pulumi';
import { derivedName } from '../postgres/sql';

// The built-in program `postgres-database`: one database and one login role
// on a PostgreSQL server an admin registered in the Baseline
// (spec.data.databases), optionally cloned from a golden database
// (configuration key `template`). Its outputs become the connection Secret
// in the target namespace: url, host, port, database, username, password.
//
// Configuration (set by the controller, never by SQL a user wrote):
//   serverUrl  (secret) the admin's connection URL, from the Baseline's database entry
//   template   (optional) the golden database to clone

// The provider process loads the implementation by path: the serialized
// provider only forwards, so closure serialization captures two strings.
const IMPL = require.resolve('../postgres/provider-impl');

type Impl = typeof import('../postgres/provider-impl');
type DatabaseInputs = import('../postgres/provider-impl').DatabaseInputs;
type DatabaseOutputs = import('../postgres/provider-impl').DatabaseOutputs;

/* eslint-disable @typescript-eslint/no-require-imports -- the closure is serialized into the provider process: it can only require by path at run time */
function provider(impl: string): pulumi.dynamic.ResourceProvider {
  return {
    async create(inputs: DatabaseInputs) {
      const m = require(impl) as Impl;
      return m.create(inputs);
    },
    async delete(_id: string, props: DatabaseInputs) {
      const m = require(impl) as Impl;
      await m.remove(props);
    },
    async read(id: string, props: DatabaseOutputs) {
      const m = require(impl) as Impl;
      return m.read(id, props);
    },
    diff(_id: string, olds: Partial<DatabaseInputs>, news: DatabaseInputs) {
      const m = require(impl) as Impl;
      return Promise.resolve(m.diff(olds, news));
    },
  };
}
/* eslint-enable @typescript-eslint/no-require-imports */

interface DatabaseArgs {
  serverUrl: pulumi.Input<string>;
  stack: pulumi.Input<string>;
  database: pulumi.Input<string>;
  role: pulumi.Input<string>;
  template?: pulumi.Input<string>;
}

class PostgresDatabase extends pulumi.dynamic.Resource {
  declare public readonly url: pulumi.Output<string>;
  declare public readonly host: pulumi.Output<string>;
  declare public readonly port: pulumi.Output<string>;
  declare public readonly database: pulumi.Output<string>;
  declare public readonly username: pulumi.Output<string>;
  declare public readonly password: pulumi.Output<string>;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.CustomResourceOptions) {
    const props = {
      ...args,
      url: undefined,
      host: undefined,
      port: undefined,
      username: undefined,
      password: undefined,
    };
    super(
      provider(IMPL),
      name,
      props,
      { ...opts, additionalSecretOutputs: ['url', 'password', 'serverUrl'] },
      'understudy',
      'PostgresDatabase',
    );
  }
}

export function postgresDatabaseProgram(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config();
  const stack = pulumi.getStack();
  const name = derivedName(stack);
  const template = config.get('template');
  const db = new PostgresDatabase('database', {
    serverUrl: config.requireSecret('serverUrl'),
    stack,
    database: name,
    role: name,
    ...(template ? { template } : {}),
  });
  return Promise.resolve({
    url: db.url,
    host: db.host,
    port: db.port,
    database: db.database,
    username: db.username,
    password: db.password,
  });
}
