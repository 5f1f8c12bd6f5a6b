/**
 * The real `terraform` CLI with AWS provider 5.100.0 (from the local filesystem mirror, no network) against
 * a Gatehouse on port 0, for every aws_apigatewayv2_* resource: create, `plan -detailed-exitcode` (no diff
 * means every attribute read back equals what was applied), update with attributes changed and removed,
 * plan again, destroy, and a check with the SDK that nothing is left. Configurations are in
 * test/fixtures/terraform/<folder>/step{1,2}.tf, each resource block citing the terraform-provider-aws
 * acceptance test (internal/service/apigatewayv2/*_test.go) whose configuration it follows.
 */
import { terraformScenario } from './scenario.js';

const FOLDERS = ['http-api', 'websocket-api', 'domains-vpc-links'];
const step = (file: string) => Object.fromEntries(FOLDERS.map((f) => [f, file]));

terraformScenario('terraform CLI: aws_apigatewayv2_* resources', FOLDERS, [
  { title: 'create', files: step('step1.tf') },
  { title: 'update (attributes changed and removed)', files: step('step2.tf') },
]);
