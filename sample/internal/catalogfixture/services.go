package catalogfixture

const tagConds = `
aws:RequestTag/${TagKey} String
aws:ResourceTag/${TagKey} String
aws:TagKeys ArrayOfString
`

var services = []service{
	{name: "s3",
		resources: `
accesspoint arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}
accesspointobject arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/${ObjectName}
bucket arn:${Partition}:s3:::${BucketName}
job arn:${Partition}:s3:${Region}:${Account}:job/${JobId}
object arn:${Partition}:s3:::${BucketName}/${ObjectName}
`,
		conds: tagConds + `
s3:ExistingObjectTag/<key> String
s3:TlsVersion Numeric
s3:authType String
s3:delimiter String
s3:max-keys Numeric
s3:prefix String
s3:x-amz-acl String
s3:x-amz-server-side-encryption String
s3:x-amz-server-side-encryption-aws-kms-key-id ARN
`,
		actions: `
AbortMultipartUpload W accesspointobject,object
BypassGovernanceRetention P accesspointobject,object
CreateAccessPoint W accesspoint |aws:RequestTag/${TagKey},aws:TagKeys
CreateBucket W bucket |s3:x-amz-acl,aws:RequestTag/${TagKey},aws:TagKeys
CreateJob W |aws:RequestTag/${TagKey},aws:TagKeys
DeleteAccessPoint W accesspoint
DeleteAccessPointPolicy P accesspoint
DeleteBucket W bucket
DeleteBucketPolicy P bucket
DeleteBucketWebsite W bucket
DeleteObject W accesspointobject,object
DeleteObjectTagging T accesspointobject,object
DeleteObjectVersion W accesspointobject,object
DeleteObjectVersionTagging T accesspointobject,object
DescribeJob R job
GetAccelerateConfiguration R bucket
GetAccessPoint R
GetAccessPointPolicy R accesspoint
GetAccessPointPolicyStatus R accesspoint
GetAccountPublicAccessBlock R
GetAnalyticsConfiguration R bucket
GetBucketAcl R accesspoint,bucket
GetBucketCORS R accesspoint,bucket
GetBucketLocation R accesspoint,bucket
GetBucketLogging R bucket
GetBucketNotification R accesspoint,bucket
GetBucketObjectLockConfiguration R bucket
GetBucketOwnershipControls R bucket
GetBucketPolicy R accesspoint,bucket
GetBucketPolicyStatus R bucket
GetBucketPublicAccessBlock R bucket
GetBucketRequestPayment R bucket
GetBucketTagging R bucket
GetBucketVersioning R bucket
GetBucketWebsite R bucket
GetEncryptionConfiguration R bucket
GetIntelligentTieringConfiguration R bucket
GetInventoryConfiguration R bucket
GetJobTagging R job
GetLifecycleConfiguration R bucket
GetMetricsConfiguration R bucket
GetObject R accesspointobject,object |s3:ExistingObjectTag/<key>,s3:TlsVersion,s3:authType
GetObjectAcl R accesspointobject,object
GetObjectAttributes R accesspointobject,object
GetObjectLegalHold R accesspointobject,object
GetObjectRetention R accesspointobject,object
GetObjectTagging R accesspointobject,object
GetObjectTorrent R object
GetObjectVersion R accesspointobject,object
GetObjectVersionAcl R accesspointobject,object
GetObjectVersionAttributes R accesspointobject,object
GetObjectVersionTagging R accesspointobject,object
GetReplicationConfiguration R bucket
InitiateReplication W object
ListAccessPoints L
ListAllMyBuckets L
ListBucket L accesspoint,bucket |s3:delimiter,s3:max-keys,s3:prefix
ListBucketMultipartUploads L bucket
ListBucketVersions L accesspoint,bucket
ListJobs L
ListMultipartUploadParts L accesspointobject,object
ListTagsForResource L accesspoint,bucket
PutAccelerateConfiguration W bucket
PutAccessPointPolicy P accesspoint
PutAccountPublicAccessBlock P
PutBucketAcl P bucket
PutBucketCORS W bucket
PutBucketLogging W bucket
PutBucketNotification W bucket
PutBucketObjectLockConfiguration W bucket
PutBucketOwnershipControls P bucket
PutBucketPolicy P bucket
PutBucketPublicAccessBlock P bucket
PutBucketRequestPayment W bucket
PutBucketTagging T bucket
PutBucketVersioning W bucket
PutBucketWebsite W bucket
PutEncryptionConfiguration W bucket
PutInventoryConfiguration W bucket
PutJobTagging T job |aws:RequestTag/${TagKey},aws:TagKeys
PutLifecycleConfiguration W bucket
PutMetricsConfiguration W bucket
PutObject W accesspointobject,object |s3:x-amz-acl,s3:x-amz-server-side-encryption,s3:x-amz-server-side-encryption-aws-kms-key-id,s3:TlsVersion
PutObjectAcl P accesspointobject,object
PutObjectLegalHold W accesspointobject,object
PutObjectRetention W accesspointobject,object
PutObjectTagging T accesspointobject,object
PutObjectVersionAcl P accesspointobject,object
PutObjectVersionTagging T accesspointobject,object
PutReplicationConfiguration W bucket
ReplicateDelete W object
ReplicateObject W object
ReplicateTags T object
RestoreObject W accesspointobject,object
TagResource T accesspoint,bucket |aws:RequestTag/${TagKey},aws:TagKeys
UntagResource T accesspoint,bucket |aws:TagKeys
UpdateJobPriority W job
UpdateJobStatus W job
`,
		ops: `
CompleteMultipartUpload s3:PutObject
CopyObject s3:GetObject,s3:PutObject
CreateMultipartUpload s3:PutObject
DeleteObjects s3:DeleteObject
GetBucketEncryption s3:GetEncryptionConfiguration
GetBucketLifecycleConfiguration s3:GetLifecycleConfiguration
GetObject s3:GetObject
GetPublicAccessBlock s3:GetBucketPublicAccessBlock
HeadBucket s3:ListBucket
HeadObject s3:GetObject
ListBuckets s3:ListAllMyBuckets
ListMultipartUploads s3:ListBucketMultipartUploads
ListObjectVersions s3:ListBucketVersions
ListObjects s3:ListBucket
ListObjectsV2 s3:ListBucket
ListParts s3:ListMultipartUploadParts
PutBucketLifecycleConfiguration s3:PutLifecycleConfiguration
PutObject s3:PutObject
PutPublicAccessBlock s3:PutBucketPublicAccessBlock
UploadPart s3:PutObject
UploadPartCopy s3:GetObject,s3:PutObject
`},

	{name: "iam",
		resources: `
group arn:${Partition}:iam::${Account}:group/${GroupNameWithPath}
instance-profile arn:${Partition}:iam::${Account}:instance-profile/${InstanceProfileNameWithPath}
mfa arn:${Partition}:iam::${Account}:mfa/${MfaTokenIdWithPath}
oidc-provider arn:${Partition}:iam::${Account}:oidc-provider/${OidcProviderName}
policy arn:${Partition}:iam::${Account}:policy/${PolicyNameWithPath}
role arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}
saml-provider arn:${Partition}:iam::${Account}:saml-provider/${SamlProviderName}
user arn:${Partition}:iam::${Account}:user/${UserNameWithPath}
`,
		conds: tagConds + `
iam:AWSServiceName String
iam:AssociatedResourceArn ARN
iam:PassedToService String
iam:PermissionsBoundary ARN
iam:PolicyARN ARN
`,
		actions: `
AddRoleToInstanceProfile W instance-profile
AddUserToGroup W group
AttachGroupPolicy P group |iam:PolicyARN
AttachRolePolicy P role |iam:PermissionsBoundary,iam:PolicyARN
AttachUserPolicy P user |iam:PermissionsBoundary,iam:PolicyARN
ChangePassword W user
CreateAccessKey W user
CreateGroup W group
CreateInstanceProfile W instance-profile |aws:RequestTag/${TagKey},aws:TagKeys
CreateLoginProfile W user
CreateOpenIDConnectProvider W oidc-provider |aws:RequestTag/${TagKey},aws:TagKeys
CreatePolicy P policy |aws:RequestTag/${TagKey},aws:TagKeys
CreatePolicyVersion P policy
CreateRole W role |iam:PermissionsBoundary,aws:RequestTag/${TagKey},aws:TagKeys
CreateSAMLProvider W saml-provider |aws:RequestTag/${TagKey},aws:TagKeys
CreateServiceLinkedRole W role |iam:AWSServiceName
CreateUser W user |iam:PermissionsBoundary,aws:RequestTag/${TagKey},aws:TagKeys
CreateVirtualMFADevice W mfa |aws:RequestTag/${TagKey},aws:TagKeys
DeactivateMFADevice W user
DeleteAccessKey W user
DeleteGroup W group
DeleteGroupPolicy P group
DeleteInstanceProfile W instance-profile
DeleteLoginProfile W user
DeletePolicy P policy
DeletePolicyVersion P policy
DeleteRole W role
DeleteRolePermissionsBoundary P role
DeleteRolePolicy P role
DeleteServiceLinkedRole W role
DeleteUser W user
DeleteUserPermissionsBoundary P user
DeleteUserPolicy P user
DetachGroupPolicy P group
DetachRolePolicy P role
DetachUserPolicy P user
EnableMFADevice W user
GenerateCredentialReport R
GenerateServiceLastAccessedDetails R group,policy,role,user
GetAccessKeyLastUsed R user
GetAccountAuthorizationDetails R
GetAccountPasswordPolicy R
GetAccountSummary L
GetCredentialReport R
GetGroup R group
GetGroupPolicy R group
GetInstanceProfile R instance-profile
GetLoginProfile L user
GetOpenIDConnectProvider R oidc-provider
GetPolicy R policy
GetPolicyVersion R policy
GetRole R role
GetRolePolicy R role
GetSAMLProvider R saml-provider
GetServiceLastAccessedDetails R
GetUser R user
GetUserPolicy R user
ListAccessKeys L user
ListAccountAliases L
ListAttachedGroupPolicies L group
ListAttachedRolePolicies L role
ListAttachedUserPolicies L user
ListEntitiesForPolicy L policy
ListGroupPolicies L group
ListGroups L
ListGroupsForUser L user
ListInstanceProfiles L
ListInstanceProfilesForRole L role
ListMFADevices L user
ListOpenIDConnectProviders L
ListPolicies L
ListPolicyVersions L policy
ListRolePolicies L role
ListRoleTags L role
ListRoles L
ListSAMLProviders L
ListUserTags L user
ListUsers L
PassRole W role |iam:AssociatedResourceArn,iam:PassedToService
PutGroupPolicy P group
PutRolePermissionsBoundary P role |iam:PermissionsBoundary
PutRolePolicy P role |iam:PermissionsBoundary
PutUserPermissionsBoundary P user |iam:PermissionsBoundary
PutUserPolicy P user |iam:PermissionsBoundary
RemoveRoleFromInstanceProfile W instance-profile
RemoveUserFromGroup W group
SetDefaultPolicyVersion P policy
SimulateCustomPolicy R
SimulatePrincipalPolicy R group,role,user
TagPolicy T policy |aws:RequestTag/${TagKey},aws:TagKeys
TagRole T role |aws:RequestTag/${TagKey},aws:TagKeys
TagUser T user |aws:RequestTag/${TagKey},aws:TagKeys
UntagPolicy T policy |aws:TagKeys
UntagRole T role |aws:TagKeys
UntagUser T user |aws:TagKeys
UpdateAccessKey W user
UpdateAccountPasswordPolicy W
UpdateAssumeRolePolicy P role
UpdateLoginProfile W user
UpdateRole W role
UpdateRoleDescription W role
UpdateUser W user
`},

	{name: "sts",
		resources: `
federated-user arn:${Partition}:sts::${Account}:federated-user/${FederatedUserName}
role arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}
root-user arn:${Partition}:iam::${Account}:root
self-session arn:${Partition}:sts::${Account}:self
`,
		conds: tagConds + `
saml:aud String
sts:ExternalId String
sts:RoleSessionName String
sts:SourceIdentity String
sts:TransitiveTagKeys ArrayOfString
token.actions.githubusercontent.com:aud String
token.actions.githubusercontent.com:sub String
`,
		actions: `
AssumeRole W role |sts:ExternalId,sts:RoleSessionName,sts:SourceIdentity,aws:RequestTag/${TagKey},aws:TagKeys
AssumeRoleWithSAML W role |saml:aud,sts:SourceIdentity,aws:RequestTag/${TagKey},aws:TagKeys
AssumeRoleWithWebIdentity W role |token.actions.githubusercontent.com:aud,token.actions.githubusercontent.com:sub,aws:RequestTag/${TagKey},aws:TagKeys
AssumeRoot W root-user
DecodeAuthorizationMessage W
GetAccessKeyInfo R
GetCallerIdentity R
GetFederationToken W federated-user |aws:RequestTag/${TagKey},aws:TagKeys
GetServiceBearerToken R
GetSessionToken R
SetContext W role,self-session
SetSourceIdentity W role |sts:SourceIdentity
TagSession T role |aws:RequestTag/${TagKey},aws:TagKeys,sts:TransitiveTagKeys
`},

	{name: "lambda",
		resources: `
eventSourceMapping arn:${Partition}:lambda:${Region}:${Account}:event-source-mapping:${UUID}
function arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}
layer arn:${Partition}:lambda:${Region}:${Account}:layer:${LayerName}
layerVersion arn:${Partition}:lambda:${Region}:${Account}:layer:${LayerName}:${LayerVersion}
`,
		conds: tagConds + `
lambda:FunctionArn ARN
lambda:FunctionUrlAuthType String
lambda:Layer ArrayOfString
lambda:Principal String
lambda:SecurityGroupIds ArrayOfString
lambda:SubnetIds ArrayOfString
`,
		actions: `
AddLayerVersionPermission P layerVersion
AddPermission P function |lambda:FunctionUrlAuthType,lambda:Principal
CreateAlias W function
CreateEventSourceMapping W |lambda:FunctionArn,aws:RequestTag/${TagKey},aws:TagKeys
CreateFunction W function |lambda:Layer,lambda:SecurityGroupIds,lambda:SubnetIds,aws:RequestTag/${TagKey},aws:TagKeys
CreateFunctionUrlConfig W function |lambda:FunctionUrlAuthType
DeleteAlias W function
DeleteEventSourceMapping W eventSourceMapping
DeleteFunction W function
DeleteFunctionConcurrency W function
DeleteFunctionEventInvokeConfig W function
DeleteFunctionUrlConfig W function
DeleteLayerVersion W layerVersion
GetAccountSettings R
GetAlias R function
GetEventSourceMapping R eventSourceMapping
GetFunction R function
GetFunctionCodeSigningConfig R function
GetFunctionConcurrency R function
GetFunctionConfiguration R function
GetFunctionEventInvokeConfig R function
GetFunctionUrlConfig R function
GetLayerVersion R layerVersion
GetLayerVersionPolicy R layerVersion
GetPolicy R function
GetRuntimeManagementConfig R function
InvokeAsync W function
InvokeFunction W function
InvokeFunctionUrl W function |lambda:FunctionUrlAuthType
ListAliases L function
ListEventSourceMappings L
ListFunctionEventInvokeConfigs L function
ListFunctionUrlConfigs L function
ListFunctions L
ListLayerVersions L
ListLayers L
ListProvisionedConcurrencyConfigs L function
ListTags R function
ListVersionsByFunction L function
PublishLayerVersion W layer
PublishVersion W function
PutFunctionConcurrency W function
PutFunctionEventInvokeConfig W function
PutRuntimeManagementConfig W function
RemoveLayerVersionPermission P layerVersion
RemovePermission P function
TagResource T function |aws:RequestTag/${TagKey},aws:TagKeys
UntagResource T function |aws:TagKeys
UpdateAlias W function
UpdateEventSourceMapping W eventSourceMapping |lambda:FunctionArn
UpdateFunctionCode W function
UpdateFunctionConfiguration W function |lambda:Layer,lambda:SecurityGroupIds,lambda:SubnetIds
UpdateFunctionEventInvokeConfig W function
UpdateFunctionUrlConfig W function |lambda:FunctionUrlAuthType
`,
		ops: `
AddPermission lambda:AddPermission
CreateFunction lambda:CreateFunction,iam:PassRole
GetFunction lambda:GetFunction
GetFunctionConfiguration lambda:GetFunctionConfiguration
GetPolicy lambda:GetPolicy
Invoke lambda:InvokeFunction
InvokeAsync lambda:InvokeAsync
ListFunctions lambda:ListFunctions
ListVersionsByFunction lambda:ListVersionsByFunction
PublishVersion lambda:PublishVersion
UpdateFunctionCode lambda:UpdateFunctionCode
UpdateFunctionConfiguration lambda:UpdateFunctionConfiguration
`},

	{name: "dynamodb",
		resources: `
backup arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/backup/${BackupName}
export arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/export/${ExportName}
global-table arn:${Partition}:dynamodb::${Account}:global-table/${GlobalTableName}
import arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/import/${ImportName}
index arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/index/${IndexName}
stream arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/stream/${StreamLabel}
table arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}
`,
		conds: tagConds + `
dynamodb:Attributes ArrayOfString
dynamodb:LeadingKeys ArrayOfString
dynamodb:ReturnValues String
dynamodb:Select String
`,
		actions: `
BatchGetItem R table |dynamodb:Attributes,dynamodb:LeadingKeys,dynamodb:Select
BatchWriteItem W table |dynamodb:Attributes,dynamodb:LeadingKeys
ConditionCheckItem R table |dynamodb:Attributes,dynamodb:LeadingKeys
CreateBackup W table
CreateGlobalTable W global-table,table
CreateTable W table |aws:RequestTag/${TagKey},aws:TagKeys
DeleteBackup W backup
DeleteItem W table |dynamodb:Attributes,dynamodb:LeadingKeys,dynamodb:ReturnValues
DeleteTable W table
DescribeBackup R backup
DescribeContinuousBackups R table
DescribeContributorInsights R index,table
DescribeEndpoints R
DescribeExport R export
DescribeGlobalTable R global-table
DescribeImport R import
DescribeLimits R
DescribeStream R stream
DescribeTable R table
DescribeTimeToLive R table
ExportTableToPointInTime W table
GetItem R table |dynamodb:Attributes,dynamodb:LeadingKeys,dynamodb:Select
GetRecords R stream
GetResourcePolicy R stream,table
GetShardIterator R stream
ImportTable W table
ListBackups L
ListContributorInsights L
ListExports L table
ListGlobalTables L
ListImports L table
ListStreams R
ListTables L
ListTagsOfResource R stream,table
PartiQLDelete W table
PartiQLInsert W table
PartiQLSelect R index,table
PartiQLUpdate W table
PutItem W table |dynamodb:Attributes,dynamodb:LeadingKeys,dynamodb:ReturnValues
PutResourcePolicy P stream,table
Query R index,table |dynamodb:Attributes,dynamodb:LeadingKeys,dynamodb:Select
RestoreTableFromBackup W backup,table
RestoreTableToPointInTime W table
Scan R index,table |dynamodb:Attributes,dynamodb:Select
TagResource T stream,table |aws:RequestTag/${TagKey},aws:TagKeys
UntagResource T stream,table |aws:TagKeys
UpdateContinuousBackups W table
UpdateContributorInsights W index,table
UpdateGlobalTable W global-table,table
UpdateItem W table |dynamodb:Attributes,dynamodb:LeadingKeys,dynamodb:ReturnValues
UpdateTable W table
UpdateTimeToLive W table
`,
		ops: `
TransactGetItems dynamodb:GetItem
`},

	{name: "ec2",
		resources: `
elastic-ip arn:${Partition}:ec2:${Region}:${Account}:elastic-ip/${AllocationId}
image arn:${Partition}:ec2:${Region}::image/${ImageId}
instance arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}
internet-gateway arn:${Partition}:ec2:${Region}:${Account}:internet-gateway/${InternetGatewayId}
key-pair arn:${Partition}:ec2:${Region}:${Account}:key-pair/${KeyPairName}
launch-template arn:${Partition}:ec2:${Region}:${Account}:launch-template/${LaunchTemplateId}
network-interface arn:${Partition}:ec2:${Region}:${Account}:network-interface/${NetworkInterfaceId}
route-table arn:${Partition}:ec2:${Region}:${Account}:route-table/${RouteTableId}
security-group arn:${Partition}:ec2:${Region}:${Account}:security-group/${SecurityGroupId}
snapshot arn:${Partition}:ec2:${Region}::snapshot/${SnapshotId}
subnet arn:${Partition}:ec2:${Region}:${Account}:subnet/${SubnetId}
volume arn:${Partition}:ec2:${Region}:${Account}:volume/${VolumeId}
vpc arn:${Partition}:ec2:${Region}:${Account}:vpc/${VpcId}
`,
		conds: tagConds + `
ec2:InstanceProfile ARN
ec2:InstanceType String
ec2:Region String
ec2:ResourceTag/${TagKey} String
ec2:Vpc ARN
`,
		actions: `
AllocateAddress W elastic-ip
AssociateIamInstanceProfile W instance |ec2:InstanceProfile
AttachVolume W instance,volume
AuthorizeSecurityGroupEgress W security-group
AuthorizeSecurityGroupIngress W security-group
CopySnapshot W snapshot
CreateImage W image,instance,snapshot
CreateKeyPair W key-pair
CreateLaunchTemplate W launch-template
CreateLaunchTemplateVersion W launch-template
CreateNetworkInterface W network-interface,security-group,subnet
CreateSecurityGroup W security-group,vpc
CreateSnapshot W snapshot,volume
CreateTags T elastic-ip,image,instance,internet-gateway,key-pair,launch-template,network-interface,route-table,security-group,snapshot,subnet,volume,vpc |aws:RequestTag/${TagKey},aws:TagKeys
CreateVolume W snapshot,volume
DeleteKeyPair W key-pair
DeleteNetworkInterface W network-interface
DeleteSecurityGroup W security-group
DeleteSnapshot W snapshot
DeleteTags T elastic-ip,image,instance,internet-gateway,key-pair,launch-template,network-interface,route-table,security-group,snapshot,subnet,volume,vpc |aws:TagKeys
DeleteVolume W volume
DeregisterImage W image
DescribeAccountAttributes L
DescribeAddresses L
DescribeAvailabilityZones L
DescribeHosts L
DescribeImages L
DescribeInstanceStatus L
DescribeInstanceTypes L
DescribeInstances L
DescribeInternetGateways L
DescribeKeyPairs L
DescribeLaunchTemplateVersions L
DescribeLaunchTemplates L
DescribeNatGateways L
DescribeNetworkInterfaces L
DescribeRegions L
DescribeRouteTables L
DescribeSecurityGroupRules L
DescribeSecurityGroups L
DescribeSnapshots L
DescribeSubnets L
DescribeTags L
DescribeVolumes L
DescribeVpcEndpoints L
DescribeVpcs L
DetachVolume W instance,volume
GetConsoleOutput R instance
GetConsoleScreenshot R instance
GetPasswordData R instance
ImportKeyPair W key-pair
ModifyInstanceAttribute W instance,security-group,volume
ModifyInstanceMetadataOptions W instance
ModifyVolume W volume
RebootInstances W instance
RegisterImage W image,snapshot
ReleaseAddress W elastic-ip
RevokeSecurityGroupIngress W security-group
RunInstances W image,instance,key-pair,launch-template,network-interface,security-group,snapshot,subnet,volume |ec2:InstanceType,aws:RequestTag/${TagKey}
StartInstances W instance
StopInstances W instance
TerminateInstances W instance
`},

	{name: "kms",
		resources: `
alias arn:${Partition}:kms:${Region}:${Account}:alias/${Alias}
key arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}
`,
		conds: tagConds + `
kms:CallerAccount String
kms:EncryptionContext:${EncryptionContextKey} String
kms:ViaService String
`,
		actions: `
CancelKeyDeletion W key
ConnectCustomKeyStore W
CreateAlias W alias,key
CreateCustomKeyStore W
CreateGrant P key |kms:CallerAccount,kms:ViaService
CreateKey W |aws:RequestTag/${TagKey},aws:TagKeys
Decrypt W key |kms:CallerAccount,kms:EncryptionContext:${EncryptionContextKey},kms:ViaService
DeleteAlias W alias,key
DeleteCustomKeyStore W
DeleteImportedKeyMaterial W key
DescribeCustomKeyStores R
DescribeKey R key
DisableKey W key
DisableKeyRotation W key
DisconnectCustomKeyStore W
EnableKey W key
EnableKeyRotation W key
Encrypt W key |kms:CallerAccount,kms:EncryptionContext:${EncryptionContextKey},kms:ViaService
GenerateDataKey W key |kms:CallerAccount,kms:EncryptionContext:${EncryptionContextKey},kms:ViaService
GenerateDataKeyPair W key
GenerateDataKeyPairWithoutPlaintext W key
GenerateDataKeyWithoutPlaintext W key
GenerateMac W key
GenerateRandom W
GetKeyPolicy R key
GetKeyRotationStatus R key
GetParametersForImport R key
GetPublicKey R key
ImportKeyMaterial W key
ListAliases L
ListGrants L key
ListKeyPolicies L key
ListKeyRotations L key
ListKeys L
ListResourceTags L key
ListRetirableGrants L
PutKeyPolicy P key
ReEncryptFrom W key
ReEncryptTo W key
ReplicateKey W key
RetireGrant P key
RevokeGrant P key
RotateKeyOnDemand W key
ScheduleKeyDeletion W key
Sign W key
TagResource T key |aws:RequestTag/${TagKey},aws:TagKeys
UntagResource T key |aws:TagKeys
UpdateAlias W alias,key
UpdateCustomKeyStore W
UpdateKeyDescription W key
UpdatePrimaryRegion W key
Verify W key
VerifyMac W key
`},

	{name: "logs",
		resources: `
destination arn:${Partition}:logs:${Region}:${Account}:destination:${DestinationName}
log-group arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}
log-stream arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}
`,
		conds: tagConds,
		actions: `
AssociateKmsKey W log-group
CancelExportTask W
CreateExportTask W log-group
CreateLogGroup W log-group |aws:RequestTag/${TagKey},aws:TagKeys
CreateLogStream W log-stream
DeleteDataProtectionPolicy W log-group
DeleteDestination W destination
DeleteLogGroup W log-group
DeleteLogStream W log-stream
DeleteMetricFilter W log-group
DeleteQueryDefinition W
DeleteResourcePolicy P
DeleteRetentionPolicy W log-group
DeleteSubscriptionFilter W log-group
DescribeDestinations L
DescribeExportTasks L
DescribeLogGroups L
DescribeLogStreams L log-group
DescribeMetricFilters L log-group
DescribeQueries L
DescribeQueryDefinitions L
DescribeResourcePolicies L
DescribeSubscriptionFilters L log-group
DisassociateKmsKey W log-group
FilterLogEvents R log-group
GetDataProtectionPolicy R log-group
GetLogEvents R log-stream
GetLogGroupFields R log-group
GetLogRecord R log-group
GetQueryResults R log-group
ListTagsForResource L destination,log-group
ListTagsLogGroup L log-group
PutDataProtectionPolicy W log-group
PutDestination W destination |aws:RequestTag/${TagKey},aws:TagKeys
PutDestinationPolicy W destination
PutLogEvents W log-stream
PutMetricFilter W log-group
PutQueryDefinition W
PutResourcePolicy P
PutRetentionPolicy W log-group
PutSubscriptionFilter W destination,log-group
StartLiveTail R log-group
StartQuery R log-group
StopLiveTail R
StopQuery R
TagLogGroup T log-group |aws:RequestTag/${TagKey},aws:TagKeys
TagResource T destination,log-group |aws:RequestTag/${TagKey},aws:TagKeys
TestMetricFilter R
UntagLogGroup T log-group |aws:TagKeys
UntagResource T destination,log-group |aws:TagKeys
`},

	{name: "cloudwatch",
		resources: `
alarm arn:${Partition}:cloudwatch:${Region}:${Account}:alarm:${AlarmName}
dashboard arn:${Partition}:cloudwatch::${Account}:dashboard/${DashboardName}
dataset arn:${Partition}:cloudwatch:${Region}:${Account}:dataset/${DatasetId}
insight-rule arn:${Partition}:cloudwatch:${Region}:${Account}:insight-rule/${InsightRuleName}
metric-stream arn:${Partition}:cloudwatch:${Region}:${Account}:metric-stream/${MetricStreamName}
`,
		conds: tagConds + `
cloudwatch:AlarmActions ArrayOfString
cloudwatch:namespace String
`,
		actions: `
DeleteAlarms W alarm
DeleteAnomalyDetector W
DeleteDashboards W dashboard
DeleteInsightRules W insight-rule
DeleteMetricStream W metric-stream
DescribeAlarmHistory R alarm
DescribeAlarms R alarm
DescribeAlarmsForMetric R
DescribeAnomalyDetectors R
DescribeInsightRules R
DisableAlarmActions W alarm
DisableInsightRules W insight-rule
EnableAlarmActions W alarm
EnableInsightRules W insight-rule
GetDashboard R dashboard
GetInsightRuleReport R insight-rule
GetMetricData R dataset
GetMetricStatistics R
GetMetricStream R metric-stream
GetMetricWidgetImage R
ListDashboards L
ListManagedInsightRules R |aws:RequestTag/${TagKey},aws:TagKeys
ListMetricStreams L
ListMetrics L dataset
ListTagsForResource L alarm,dashboard,insight-rule,metric-stream
PutAnomalyDetector W
PutCompositeAlarm W alarm |cloudwatch:AlarmActions,aws:RequestTag/${TagKey},aws:TagKeys
PutDashboard W dashboard |aws:RequestTag/${TagKey},aws:TagKeys
PutInsightRule W insight-rule |aws:RequestTag/${TagKey},aws:TagKeys
PutManagedInsightRules W |aws:RequestTag/${TagKey},aws:TagKeys
PutMetricAlarm W alarm |cloudwatch:AlarmActions,aws:RequestTag/${TagKey},aws:TagKeys
PutMetricData W dataset |cloudwatch:namespace
PutMetricStream W metric-stream |aws:RequestTag/${TagKey},aws:TagKeys
SetAlarmState W alarm
StartMetricStreams W metric-stream
StopMetricStreams W metric-stream
TagResource T alarm,dashboard,insight-rule,metric-stream |aws:RequestTag/${TagKey},aws:TagKeys
UntagResource T alarm,dashboard,insight-rule,metric-stream |aws:TagKeys
`},

	{name: "sqs",
		resources: `
queue arn:${Partition}:sqs:${Region}:${Account}:${QueueName}
`,
		conds: tagConds,
		actions: `
AddPermission P queue
CancelMessageMoveTask W queue
ChangeMessageVisibility W queue
CreateQueue W queue |aws:RequestTag/${TagKey},aws:TagKeys
DeleteMessage W queue
DeleteQueue W queue
GetQueueAttributes R queue
GetQueueUrl R queue
ListDeadLetterSourceQueues R queue
ListMessageMoveTasks R queue
ListQueueTags R queue
ListQueues R
PurgeQueue W queue
ReceiveMessage R queue
RemovePermission P queue
SendMessage W queue
SetQueueAttributes P queue
StartMessageMoveTask W queue
TagQueue T queue |aws:RequestTag/${TagKey},aws:TagKeys
UntagQueue T queue |aws:TagKeys
`},

	{name: "sns",
		resources: `
topic arn:${Partition}:sns:${Region}:${Account}:${TopicName}
`,
		conds: tagConds + `
sns:Endpoint String
sns:Protocol String
`,
		actions: `
AddPermission P topic
CheckIfPhoneNumberIsOptedOut R
ConfirmSubscription W topic
CreatePlatformApplication W
CreatePlatformEndpoint W
CreateTopic W topic |aws:RequestTag/${TagKey},aws:TagKeys
DeleteEndpoint W
DeletePlatformApplication W
DeleteTopic W topic
GetDataProtectionPolicy R topic
GetEndpointAttributes R
GetPlatformApplicationAttributes R
GetSMSAttributes R
GetSubscriptionAttributes R topic
GetTopicAttributes R topic
ListEndpointsByPlatformApplication L
ListOriginationNumbers L
ListPhoneNumbersOptedOut R
ListPlatformApplications L
ListSubscriptions L
ListSubscriptionsByTopic L topic
ListTagsForResource R topic
ListTopics L
OptInPhoneNumber W
Publish W topic
PutDataProtectionPolicy W topic
RemovePermission P topic
SetEndpointAttributes W
SetPlatformApplicationAttributes W
SetSMSAttributes W
SetSubscriptionAttributes W topic
SetTopicAttributes P topic
Subscribe W topic |sns:Endpoint,sns:Protocol
TagResource T topic |aws:RequestTag/${TagKey},aws:TagKeys
Unsubscribe W topic
UntagResource T topic |aws:TagKeys
`},

	{name: "ssm",
		resources: `
association arn:${Partition}:ssm:${Region}:${Account}:association/${AssociationId}
automation-definition arn:${Partition}:ssm:${Region}:${Account}:automation-definition/${AutomationDefinitionName}:${VersionId}
automation-execution arn:${Partition}:ssm:${Region}:${Account}:automation-execution/${AutomationExecutionId}
bucket arn:${Partition}:s3:::${BucketName}
document arn:${Partition}:ssm:${Region}:${Account}:document/${DocumentName}
instance arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}
maintenancewindow arn:${Partition}:ssm:${Region}:${Account}:maintenancewindow/${ResourceId}
managed-instance arn:${Partition}:ssm:${Region}:${Account}:managed-instance/${InstanceId}
opsitem arn:${Partition}:ssm:${Region}:${Account}:opsitem/${ResourceId}
parameter arn:${Partition}:ssm:${Region}:${Account}:parameter/${ParameterNameWithoutLeadingSlash}
patchbaseline arn:${Partition}:ssm:${Region}:${Account}:patchbaseline/${PatchBaselineIdResourceId}
servicesetting arn:${Partition}:ssm:${Region}:${Account}:servicesetting/${ResourceId}
session arn:${Partition}:ssm:${Region}:${Account}:session/${SessionId}
`,
		conds: tagConds + `
ssm:Overwrite String
ssm:Recursive String
ssm:SessionDocumentAccessCheck Bool
`,
		actions: `
AddTagsToResource T document,instance,maintenancewindow,managed-instance,opsitem,parameter,patchbaseline |aws:RequestTag/${TagKey},aws:TagKeys
CancelCommand W
CreateAssociation W association,document,instance,managed-instance |aws:RequestTag/${TagKey},aws:TagKeys
CreateDocument W document |aws:RequestTag/${TagKey},aws:TagKeys
CreateMaintenanceWindow W |aws:RequestTag/${TagKey},aws:TagKeys
CreateOpsItem W |aws:RequestTag/${TagKey},aws:TagKeys
CreatePatchBaseline W |aws:RequestTag/${TagKey},aws:TagKeys
DeleteAssociation W association,document,instance,managed-instance
DeleteDocument W document
DeleteMaintenanceWindow W maintenancewindow
DeleteParameter W parameter
DeleteParameters W parameter
DescribeAssociation R association,document,instance,managed-instance
DescribeAutomationExecutions R
DescribeDocument R document
DescribeDocumentPermission R document
DescribeInstanceInformation R
DescribeInstancePatchStates R instance,managed-instance
DescribeMaintenanceWindows L
DescribeOpsItems R
DescribeParameters L
DescribePatchBaselines L
DescribeSessions L
GetAutomationExecution R automation-execution
GetCommandInvocation R
GetConnectionStatus R instance,managed-instance
GetDocument R document
GetInventory R
GetMaintenanceWindow R maintenancewindow
GetOpsItem R opsitem
GetParameter R parameter
GetParameterHistory R parameter
GetParameters R parameter
GetParametersByPath R parameter |ssm:Recursive
GetPatchBaseline R patchbaseline
GetServiceSetting R servicesetting
LabelParameterVersion W parameter
ListAssociations L
ListCommandInvocations L
ListCommands L
ListComplianceItems L
ListDocuments L
ListInventoryEntries L
ListTagsForResource L association,automation-execution,document,maintenancewindow,managed-instance,opsitem,parameter,patchbaseline
ModifyDocumentPermission P document
PutComplianceItems W instance,managed-instance
PutInventory W
PutParameter W parameter |ssm:Overwrite,aws:RequestTag/${TagKey},aws:TagKeys
RemoveTagsFromResource T document,instance,maintenancewindow,managed-instance,opsitem,parameter,patchbaseline |aws:TagKeys
ResumeSession W session
SendCommand W bucket,document,instance,managed-instance
StartAutomationExecution W automation-definition,automation-execution,document |aws:RequestTag/${TagKey},aws:TagKeys
StartSession W document,instance,managed-instance |ssm:SessionDocumentAccessCheck
StopAutomationExecution W automation-execution
TerminateSession W session
UpdateAssociation W association,document,instance,managed-instance
UpdateDocument W document
UpdateInstanceInformation W instance,managed-instance
UpdateMaintenanceWindow W maintenancewindow
UpdateOpsItem W opsitem
UpdateServiceSetting W servicesetting
`},

	{name: "secretsmanager",
		resources: `
Secret arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}
`,
		conds: tagConds + `
secretsmanager:ResourceTag/tag-key String
secretsmanager:SecretId ARN
secretsmanager:VersionStage String
`,
		actions: `
BatchGetSecretValue R
CancelRotateSecret W Secret
CreateSecret W Secret |aws:RequestTag/${TagKey},aws:TagKeys
DeleteResourcePolicy P Secret
DeleteSecret W Secret
DescribeSecret R Secret
GetRandomPassword R
GetResourcePolicy R Secret
GetSecretValue R Secret |secretsmanager:SecretId,secretsmanager:VersionStage
ListSecretVersionIds R Secret
ListSecrets L
PutResourcePolicy P Secret
PutSecretValue W Secret
RemoveRegionsFromReplication W Secret
ReplicateSecretToRegions W Secret
RestoreSecret W Secret
RotateSecret W Secret
StopReplicationToReplica W Secret
TagResource T Secret |aws:RequestTag/${TagKey},aws:TagKeys
UntagResource T Secret |aws:TagKeys
UpdateSecret W Secret
UpdateSecretVersionStage W Secret |secretsmanager:VersionStage
ValidateResourcePolicy P Secret
`},

	{name: "ecs",
		resources: `
capacity-provider arn:${Partition}:ecs:${Region}:${Account}:capacity-provider/${CapacityProviderName}
cluster arn:${Partition}:ecs:${Region}:${Account}:cluster/${ClusterName}
container-instance arn:${Partition}:ecs:${Region}:${Account}:container-instance/${ClusterName}/${ContainerInstanceId}
service arn:${Partition}:ecs:${Region}:${Account}:service/${ClusterName}/${ServiceName}
task arn:${Partition}:ecs:${Region}:${Account}:task/${ClusterName}/${TaskId}
task-definition arn:${Partition}:ecs:${Region}:${Account}:task-definition/${TaskDefinitionFamilyName}:${TaskDefinitionRevisionNumber}
`,
		conds: tagConds + `
ecs:capacity-provider ARN
ecs:cluster ARN
ecs:compute-compatibility String
ecs:container-name String
ecs:enable-execute-command String
ecs:privileged Bool
ecs:task ARN
ecs:task-cpu Numeric
ecs:task-definition ARN
ecs:task-memory Numeric
`,
		actions: `
CreateCapacityProvider W capacity-provider |aws:RequestTag/${TagKey},aws:TagKeys
CreateCluster W cluster |aws:RequestTag/${TagKey},aws:TagKeys,ecs:capacity-provider
CreateService W service |aws:RequestTag/${TagKey},aws:TagKeys,ecs:capacity-provider,ecs:enable-execute-command,ecs:task-cpu,ecs:task-definition,ecs:task-memory
DeleteCluster W cluster
DeleteService W service |aws:ResourceTag/${TagKey},ecs:cluster
DeregisterTaskDefinition W
DescribeCapacityProviders R capacity-provider |aws:ResourceTag/${TagKey}
DescribeClusters R cluster
DescribeContainerInstances R container-instance |aws:ResourceTag/${TagKey},ecs:cluster
DescribeServices R service |aws:ResourceTag/${TagKey},ecs:cluster
DescribeTaskDefinition R
DescribeTasks R task |aws:ResourceTag/${TagKey},ecs:cluster
ExecuteCommand W cluster,task |aws:ResourceTag/${TagKey},ecs:cluster,ecs:container-name,ecs:task
ListClusters L
ListContainerInstances L cluster
ListServices L |ecs:cluster
ListTagsForResource R capacity-provider,cluster,container-instance,service,task,task-definition |aws:ResourceTag/${TagKey}
ListTaskDefinitionFamilies L
ListTaskDefinitions L
ListTasks L container-instance |aws:ResourceTag/${TagKey},ecs:cluster
PutClusterCapacityProviders W cluster |ecs:capacity-provider
RegisterTaskDefinition W task-definition |aws:RequestTag/${TagKey},aws:TagKeys,ecs:compute-compatibility,ecs:privileged,ecs:task-cpu,ecs:task-memory
RunTask W task-definition |aws:RequestTag/${TagKey},aws:ResourceTag/${TagKey},aws:TagKeys,ecs:capacity-provider,ecs:cluster,ecs:enable-execute-command
StartTask W task-definition |aws:RequestTag/${TagKey},aws:ResourceTag/${TagKey},aws:TagKeys,ecs:cluster,ecs:enable-execute-command
StopTask W task |aws:ResourceTag/${TagKey},ecs:cluster
TagResource T capacity-provider,cluster,container-instance,service,task,task-definition |aws:RequestTag/${TagKey},aws:ResourceTag/${TagKey},aws:TagKeys
UntagResource T capacity-provider,cluster,container-instance,service,task,task-definition |aws:ResourceTag/${TagKey},aws:TagKeys
UpdateCluster W cluster
UpdateContainerInstancesState W container-instance |aws:ResourceTag/${TagKey},ecs:cluster
UpdateService W service |ecs:capacity-provider,ecs:enable-execute-command,ecs:task-cpu,ecs:task-definition,ecs:task-memory
`},

	{name: "cloudformation",
		resources: `
changeset arn:${Partition}:cloudformation:${Region}:${Account}:changeSet/${ChangeSetName}/${Id}
stack arn:${Partition}:cloudformation:${Region}:${Account}:stack/${StackName}/${Id}
stackset arn:${Partition}:cloudformation:${Region}:${Account}:stackset/${StackSetName}:${Id}
stackset-target arn:${Partition}:cloudformation:${Region}:${Account}:stackset-target/${StackSetTarget}
type arn:${Partition}:cloudformation:${Region}:${Account}:type/resource/${Type}
`,
		conds: tagConds + `
cloudformation:ChangeSetName String
cloudformation:RoleArn ARN
cloudformation:TemplateUrl String
`,
		actions: `
CancelUpdateStack W stack
ContinueUpdateRollback W stack |cloudformation:RoleArn
CreateChangeSet W stack |cloudformation:ChangeSetName,cloudformation:RoleArn,cloudformation:TemplateUrl,aws:RequestTag/${TagKey},aws:TagKeys
CreateStack W stack |cloudformation:RoleArn,cloudformation:TemplateUrl,aws:RequestTag/${TagKey},aws:TagKeys
CreateStackInstances W stackset,stackset-target,type |aws:TagKeys
CreateStackSet W |aws:RequestTag/${TagKey},aws:TagKeys
DeleteChangeSet W stack
DeleteStack W stack |cloudformation:RoleArn
DeleteStackInstances W stackset,stackset-target,type
DeleteStackSet W stackset
DescribeAccountLimits R
DescribeChangeSet R stack |cloudformation:ChangeSetName
DescribeStackDriftDetectionStatus R
DescribeStackEvents R stack
DescribeStackInstance R stackset
DescribeStackResource R stack
DescribeStackResourceDrifts R stack
DescribeStackResources R stack
DescribeStackSet R stackset
DescribeStackSetOperation R stackset
DescribeStacks L stack
DescribeType R
DetectStackDrift R stack
DetectStackResourceDrift R stack
EstimateTemplateCost R
ExecuteChangeSet W stack |cloudformation:ChangeSetName
GetStackPolicy R stack
GetTemplate R stack
GetTemplateSummary R stack,stackset
ListChangeSets L stack
ListExports L
ListImports L
ListStackInstances L stackset
ListStackResources L stack
ListStackSetOperations L stackset
ListStackSets L
ListStacks L
ListTypes L
RollbackStack W stack
SetStackPolicy P stack
SignalResource W stack
TagResource T changeset,stack,stackset |aws:RequestTag/${TagKey},aws:TagKeys
UntagResource T changeset,stack,stackset |aws:TagKeys
UpdateStack W stack |cloudformation:RoleArn,cloudformation:TemplateUrl,aws:RequestTag/${TagKey},aws:TagKeys
UpdateStackInstances W stackset,stackset-target,type
UpdateStackSet W stackset,stackset-target,type |aws:RequestTag/${TagKey},aws:TagKeys
UpdateTerminationProtection W stack
ValidateTemplate R
`},

	{name: "cloudtrail",
		resources: `
channel arn:${Partition}:cloudtrail:${Region}:${Account}:channel/${ChannelId}
eventdatastore arn:${Partition}:cloudtrail:${Region}:${Account}:eventdatastore/${EventDataStoreId}
trail arn:${Partition}:cloudtrail:${Region}:${Account}:trail/${TrailName}
`,
		conds: tagConds,
		actions: `
AddTags T channel,eventdatastore,trail |aws:RequestTag/${TagKey},aws:TagKeys
CancelQuery W eventdatastore
CreateChannel W channel,eventdatastore |aws:RequestTag/${TagKey},aws:TagKeys
CreateEventDataStore W eventdatastore |aws:RequestTag/${TagKey},aws:TagKeys
CreateTrail W trail |aws:RequestTag/${TagKey},aws:TagKeys
DeleteChannel W channel
DeleteEventDataStore W eventdatastore
DeleteResourcePolicy W channel,eventdatastore
DeleteTrail W trail
DescribeQuery R eventdatastore
DescribeTrails R
GetChannel R channel
GetEventDataStore R eventdatastore
GetEventSelectors R trail
GetImport R
GetInsightSelectors R eventdatastore,trail
GetQueryResults R eventdatastore
GetResourcePolicy R channel,eventdatastore
GetTrail R trail
GetTrailStatus R trail
ListChannels L
ListEventDataStores L
ListImports L
ListPublicKeys R
ListQueries L eventdatastore
ListTags R channel,eventdatastore,trail
ListTrails L
LookupEvents R
PutEventSelectors W trail
PutInsightSelectors W eventdatastore,trail
PutResourcePolicy W channel,eventdatastore
RemoveTags T channel,eventdatastore,trail |aws:TagKeys
RestoreEventDataStore W eventdatastore
StartEventDataStoreIngestion W eventdatastore
StartImport W
StartLogging W trail
StartQuery W eventdatastore
StopEventDataStoreIngestion W eventdatastore
StopImport W
StopLogging W trail
UpdateChannel W channel
UpdateEventDataStore W eventdatastore
UpdateTrail W trail
`},

	// Services the sample's policies name but its events do not use.
	{name: "xray",
		resources: `
group arn:${Partition}:xray:${Region}:${Account}:group/${GroupName}/${Id}
sampling-rule arn:${Partition}:xray:${Region}:${Account}:sampling-rule/${SamplingRuleName}
`,
		conds: tagConds,
		actions: `
BatchGetTraces L
CreateGroup W group |aws:RequestTag/${TagKey},aws:TagKeys
CreateSamplingRule W sampling-rule |aws:RequestTag/${TagKey},aws:TagKeys
DeleteGroup W group
DeleteSamplingRule W sampling-rule
GetGroup R group
GetSamplingRules R
GetSamplingStatisticSummaries R
GetSamplingTargets R
GetServiceGraph R
GetTraceSummaries R
PutTelemetryRecords W
PutTraceSegments W
`},

	{name: "organizations",
		resources: `
account arn:${Partition}:organizations::${Account}:account/o-${OrganizationId}/${AccountId}
organization arn:${Partition}:organizations::${Account}:organization/o-${OrganizationId}
`,
		conds: tagConds,
		actions: `
DescribeAccount R account
DescribeOrganization R
LeaveOrganization W
ListAccounts L
ListRoots L
`},

	{name: "account",
		resources: `
account arn:${Partition}:account::${Account}:account
`,
		conds: "",
		actions: `
DisableRegion W account
EnableRegion W account
GetAccountInformation R account
GetContactInformation R account
GetPrimaryEmail R
ListRegions L account
PutContactInformation W account
`},
	{name: "states",
		resources: `
activity arn:${Partition}:states:${Region}:${Account}:activity:${ActivityName}
execution arn:${Partition}:states:${Region}:${Account}:execution:${StateMachineName}:${ExecutionId}
statemachine arn:${Partition}:states:${Region}:${Account}:stateMachine:${StateMachineName}
`,
		conds: tagConds,
		actions: `
CreateStateMachine W statemachine |aws:RequestTag/${TagKey},aws:TagKeys
DeleteStateMachine W statemachine
DescribeExecution R execution
DescribeStateMachine R statemachine
GetExecutionHistory R execution
ListExecutions L statemachine
ListStateMachines L
StartExecution W statemachine
StopExecution W execution
UpdateStateMachine W statemachine |aws:RequestTag/${TagKey},aws:TagKeys
`},

	{name: "codebuild",
		resources: `
build arn:${Partition}:codebuild:${Region}:${Account}:build/${BuildId}
project arn:${Partition}:codebuild:${Region}:${Account}:project/${ProjectName}
`,
		conds: tagConds,
		actions: `
BatchGetBuilds R project
BatchGetProjects R project
CreateProject W project |aws:RequestTag/${TagKey},aws:TagKeys
DeleteProject W project
ListBuilds L
ListBuildsForProject L project
ListProjects L
RetryBuild W project
StartBuild W project
StopBuild W project
UpdateProject W project |aws:RequestTag/${TagKey},aws:TagKeys
`},

	{name: "route53",
		resources: `
change arn:${Partition}:route53:::change/${Id}
healthcheck arn:${Partition}:route53:::healthcheck/${Id}
hostedzone arn:${Partition}:route53:::hostedzone/${Id}
`,
		conds: "",
		actions: `
ChangeResourceRecordSets W hostedzone
CreateHealthCheck W
CreateHostedZone W
DeleteHostedZone W hostedzone
GetChange L change
GetHostedZone L hostedzone
ListHostedZones L
ListResourceRecordSets L hostedzone
`},
}
