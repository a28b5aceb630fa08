// The IAM actions behind checkov's CKV_AWS_286/287/288 (and their data-source twins CKV_AWS_110/107/108).
// checkov delegates these checks to cloudsplaining, whose constants name the actions; the lists here
// follow cloudsplaining's, written with AWS's own casing so findings read like the IAM reference.
// Matching is case-insensitive, as IAM's is.

/**
 * Action combinations that let a principal give itself more permissions (Rhino Security Labs' methods
 * plus the later pathfinding.cloud paths). A combination counts when every action in it is allowed on
 * resource "*". Combinations that only add actions to a shorter one (e.g. iam:CreateAccessKey plus
 * iam:DeleteAccessKey) are left out: the shorter one already reports them.
 */
export const PRIVILEGE_ESCALATION_PATHS: Readonly<Record<string, readonly string[]>> = {
  // Permissions on other principals.
  CreateAccessKey: ["iam:CreateAccessKey"],
  CreateLoginProfile: ["iam:CreateLoginProfile"],
  UpdateLoginProfile: ["iam:UpdateLoginProfile"],
  AddUserToGroup: ["iam:AddUserToGroup"],
  // Permissions on policies.
  CreatePolicyVersion: ["iam:CreatePolicyVersion"],
  SetDefaultPolicyVersion: ["iam:SetDefaultPolicyVersion"],
  AttachUserPolicy: ["iam:AttachUserPolicy"],
  AttachGroupPolicy: ["iam:AttachGroupPolicy"],
  AttachRolePolicy: ["iam:AttachRolePolicy"],
  PutUserPolicy: ["iam:PutUserPolicy"],
  PutGroupPolicy: ["iam:PutGroupPolicy"],
  PutRolePolicy: ["iam:PutRolePolicy"],
  UpdateAssumeRolePolicy: ["iam:UpdateAssumeRolePolicy"],
  // Passing an existing role to something the principal controls.
  PassRoleToEc2Instance: ["iam:PassRole", "ec2:RunInstances"],
  PassRoleToEc2SpotInstance: ["iam:PassRole", "ec2:RequestSpotInstances"],
  PassRoleToNewLambdaThenInvoke: ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"],
  PassRoleToNewLambdaThenTrigger: ["iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"],
  PassRoleToNewLambdaThenAddPermission: ["iam:PassRole", "lambda:CreateFunction", "lambda:AddPermission"],
  PassRoleToGlueDevEndpoint: ["iam:PassRole", "glue:CreateDevEndpoint"],
  PassRoleToNewGlueJobThenRun: ["iam:PassRole", "glue:CreateJob", "glue:StartJobRun"],
  PassRoleToNewGlueJobViaTrigger: ["iam:PassRole", "glue:CreateJob", "glue:CreateTrigger"],
  PassRoleToUpdatedGlueJobThenRun: ["iam:PassRole", "glue:UpdateJob", "glue:StartJobRun"],
  PassRoleToUpdatedGlueJobViaTrigger: ["iam:PassRole", "glue:UpdateJob", "glue:CreateTrigger"],
  PassRoleToCloudFormationStack: ["iam:PassRole", "cloudformation:CreateStack"],
  PassRoleToNewCloudFormationStackSet: ["iam:PassRole", "cloudformation:CreateStackSet", "cloudformation:CreateStackInstances"],
  PassRoleToUpdatedCloudFormationStackSet: ["iam:PassRole", "cloudformation:UpdateStackSet"],
  PassRoleToDataPipeline: ["iam:PassRole", "datapipeline:CreatePipeline"],
  PassRoleToAppRunnerService: ["iam:PassRole", "apprunner:CreateService"],
  PassRoleToNewCodeBuildProjectThenBuild: ["iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"],
  PassRoleToNewCodeBuildProjectThenBuildBatch: ["iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuildBatch"],
  PassRoleToNewEcsService: ["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:CreateService"],
  PassRoleToNewEcsTaskViaRunTask: ["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"],
  PassRoleToNewEcsTaskViaStartTask: ["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:StartTask"],
  PassRoleToSageMakerNotebookInstance: ["iam:PassRole", "sagemaker:CreateNotebookInstance"],
  PassRoleToSageMakerTrainingJob: ["iam:PassRole", "sagemaker:CreateTrainingJob"],
  PassRoleToSageMakerProcessingJob: ["iam:PassRole", "sagemaker:CreateProcessingJob"],
  // Changing what an existing resource with a role runs.
  UpdateGlueDevEndpoint: ["glue:UpdateDevEndpoint"],
  UpdateLambdaFunctionCode: ["lambda:UpdateFunctionCode"],
  ExecuteCloudFormationChangeSet: ["cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"],
  ModifyEc2UserDataThenRestart: ["ec2:ModifyInstanceAttribute", "ec2:StopInstances", "ec2:StartInstances"],
  ModifyEc2LaunchTemplate: ["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"],
  Ec2InstanceConnectSshKey: ["ec2-instance-connect:SendSSHPublicKey", "ec2:DescribeInstances"],
  EcsExecIntoRunningTask: ["ecs:ExecuteCommand", "ecs:DescribeTasks"],
  SageMakerPresignedNotebookUrl: ["sagemaker:CreatePresignedNotebookInstanceUrl"],
  SageMakerNotebookLifecycleConfig: [
    "sagemaker:CreateNotebookInstanceLifecycleConfig",
    "sagemaker:StopNotebookInstance",
    "sagemaker:UpdateNotebookInstance",
    "sagemaker:StartNotebookInstance",
  ],
  BedrockCodeInterpreterSession: ["bedrock-agentcore:StartCodeInterpreterSession", "bedrock-agentcore:InvokeCodeInterpreter"],
};

/**
 * Actions whose response carries credentials (keys, passwords, tokens, session credentials).
 * ecr:GetAuthorizationToken is left out, as checkov leaves it out: every image pull needs it and
 * it cannot be scoped to a repository. cloudsplaining spells two GameLift actions "gamelist:"; the
 * real service prefix is used here.
 */
export const CREDENTIALS_EXPOSURE_ACTIONS: readonly string[] = [
  "airflow:CreateCliToken",
  "airflow:CreateWebLoginToken",
  "appsync:CreateApiKey",
  "chime:CreateApiKey",
  "cloud9:CreateEnvironmentToken",
  "codeartifact:GetAuthorizationToken",
  "codepipeline:PollForJobs",
  "cognito-identity:GetOpenIdToken",
  "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
  "cognito-identity:GetCredentialsForIdentity",
  "cognito-idp:GetSigningCertificate",
  "connect:GetFederationToken",
  "connect:GetFederationTokens",
  "ec2:GetPasswordData",
  "ecr-public:GetAuthorizationToken",
  "emr-containers:GetManagedEndpointSessionCredentials",
  "finspace-api:GetProgrammaticAccessCredentials",
  "gamelift:RequestUploadCredentials",
  "gamelift:GetInstanceAccess",
  "gamelift:GetComputeAccess",
  "gamelift:GetComputeAuthToken",
  "grafana:CreateWorkspaceApiKey",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:CreateServiceSpecificCredential",
  "iam:ResetServiceSpecificCredential",
  "iam:UpdateAccessKey",
  "license-manager:GetAccessToken",
  "lightsail:GetInstanceAccessDetails",
  "lightsail:DownloadDefaultKeyPair",
  "lightsail:CreateBucketAccessKey",
  "lightsail:GetRelationalDatabaseMasterUserPassword",
  "mediapackage:RotateChannelCredentials",
  "mediapackage:RotateIngestEndpointCredentials",
  "rds-db:connect",
  "redshift:GetClusterCredentials",
  "redshift:GetClusterCredentialsWithIAM",
  "redshift-serverless:GetCredentials",
  "sso:GetRoleCredentials",
  "sts:AssumeRole",
  "sts:AssumeRoleWithSAML",
  "sts:AssumeRoleWithWebIdentity",
  "sts:GetFederationToken",
  "sts:GetSessionToken",
];

/** Read actions that hand out stored data or secrets; on every resource they are a leak waiting to happen. */
export const DATA_EXFILTRATION_ACTIONS: readonly string[] = [
  "s3:GetObject",
  "ssm:GetParameter",
  "ssm:GetParameters",
  "ssm:GetParametersByPath",
  "secretsmanager:GetSecretValue",
];
