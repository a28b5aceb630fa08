// Runs before every test file. Nothing a test starts may reach cloud metadata or HashiCorp's
// checkpoint service. (cdktf's jest matchers are not registered here on purpose: loading cdktf costs
// ~0.5 s per test file, and most files never touch it; a file that wants them calls
// `Testing.setupJest()` itself.)
process.env.AWS_EC2_METADATA_DISABLED = "true";
process.env.CHECKPOINT_DISABLE = "1";
