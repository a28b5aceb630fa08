// Registers cdktf's jest matchers (toHaveResource, toHaveResourceWithProperties, ...).
import { Testing } from "cdktf";

Testing.setupJest();
// Nothing a test starts may reach cloud metadata or HashiCorp's checkpoint service.
process.env.AWS_EC2_METADATA_DISABLED = "true";
process.env.CHECKPOINT_DISABLE = "1";
