package lifecycle

// The reviewed table. Each rule names a resource type of the action
// catalog by its ARN format, exactly as the catalog spells it (a test
// checks every one against the bundled catalog), and the variables of that
// format a workload mints as it runs.
//
// Rules are tried in order and the first one whose format matches and
// whose cut changes the ARN wins, so a more specific format comes before
// a more general one of the same service.
//
// What is deliberately not here: names people choose once and keep
// (buckets, tables, queues, functions, log groups, clusters, roles), ids
// AWS assigns to long-lived infrastructure (VPCs, subnets, security
// groups, KMS keys), and run ids that never appear in an ARN (Glue job
// runs, Athena query executions, SSM command ids, EC2 launch template
// versions: their actions are authorised on the job, workgroup, document
// and instance, or launch template, which are stable or listed here).
var table = []Rule{
	// CloudWatch Logs: Lambda, ECS and agents name a stream per execution
	// environment, task or day.
	rule("logs", "log-stream", "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}",
		"a stream per execution environment, task, instance or day", "LogStreamName", Whole),

	// S3: keys under date partitions, numbered parts, uploads named by id.
	rule("s3", "object", "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
		"keys with dates, partitions (dt=…), numbers, UUIDs or hashes", "ObjectName", Path),
	rule("s3", "accesspointobject", "arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/${ObjectName}",
		"keys with dates, partitions (dt=…), numbers, UUIDs or hashes", "ObjectName", Path),
	rule("s3", "job", "arn:${Partition}:s3:${Region}:${Account}:job/${JobId}",
		"a Batch Operations job id per job", "JobId", Whole),

	// EC2: what autoscalers, AMI pipelines and backups create.
	rule("ec2", "instance", "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}",
		"autoscaled and replaced instances", "InstanceId", Whole),
	rule("ec2", "volume", "arn:${Partition}:ec2:${Region}:${Account}:volume/${VolumeId}",
		"a volume per launched instance", "VolumeId", Whole),
	rule("ec2", "snapshot", "arn:${Partition}:ec2:${Region}::snapshot/${SnapshotId}",
		"a snapshot per backup", "SnapshotId", Whole),
	rule("ec2", "image", "arn:${Partition}:ec2:${Region}::image/${ImageId}",
		"an AMI per image build", "ImageId", Whole),
	rule("ec2", "network-interface", "arn:${Partition}:ec2:${Region}:${Account}:network-interface/${NetworkInterfaceId}",
		"an interface per instance, task or Lambda environment", "NetworkInterfaceId", Whole),
	rule("ec2", "spot-instances-request", "arn:${Partition}:ec2:${Region}:${Account}:spot-instances-request/${SpotInstanceRequestId}",
		"a request per spot launch", "SpotInstanceRequestId", Whole),
	rule("ec2", "spot-fleet-request", "arn:${Partition}:ec2:${Region}:${Account}:spot-fleet-request/${SpotFleetRequestId}",
		"a request per fleet launch", "SpotFleetRequestId", Whole),
	rule("ec2", "fleet", "arn:${Partition}:ec2:${Region}:${Account}:fleet/${FleetId}",
		"a fleet per CreateFleet call", "FleetId", Whole),
	rule("ec2", "export-image-task", "arn:${Partition}:ec2:${Region}:${Account}:export-image-task/${ExportImageTaskId}",
		"a task per export", "ExportImageTaskId", Whole),
	rule("ec2", "import-image-task", "arn:${Partition}:ec2:${Region}:${Account}:import-image-task/${ImportImageTaskId}",
		"a task per import", "ImportImageTaskId", Whole),
	rule("ec2", "import-snapshot-task", "arn:${Partition}:ec2:${Region}:${Account}:import-snapshot-task/${ImportSnapshotTaskId}",
		"a task per import", "ImportSnapshotTaskId", Whole),
	rule("ec2", "replace-root-volume-task", "arn:${Partition}:ec2:${Region}:${Account}:replace-root-volume-task/${ReplaceRootVolumeTaskId}",
		"a task per replacement", "ReplaceRootVolumeTaskId", Whole),

	// ECS: tasks, deployments and revisions.
	rule("ecs", "task", "arn:${Partition}:ecs:${Region}:${Account}:task/${ClusterName}/${TaskId}",
		"a task id per started task", "TaskId", Whole),
	rule("ecs", "task-definition", "arn:${Partition}:ecs:${Region}:${Account}:task-definition/${TaskDefinitionFamilyName}:${TaskDefinitionRevisionNumber}",
		"a revision per deployment", "TaskDefinitionRevisionNumber", Number),
	rule("ecs", "container-instance", "arn:${Partition}:ecs:${Region}:${Account}:container-instance/${ClusterName}/${ContainerInstanceId}",
		"a container instance per autoscaled host", "ContainerInstanceId", Whole),
	rule("ecs", "task-set", "arn:${Partition}:ecs:${Region}:${Account}:task-set/${ClusterName}/${ServiceName}/${TaskSetId}",
		"a task set per deployment", "TaskSetId", Whole),
	rule("ecs", "service-deployment", "arn:${Partition}:ecs:${Region}:${Account}:service-deployment/${ClusterName}/${ServiceName}/${ServiceDeploymentId}",
		"a deployment id per deployment", "ServiceDeploymentId", Whole),
	rule("ecs", "service-revision", "arn:${Partition}:ecs:${Region}:${Account}:service-revision/${ClusterName}/${ServiceName}/${ServiceRevisionId}",
		"a revision per deployment", "ServiceRevisionId", Whole),
	rule("ecs", "daemon-deployment", "arn:${Partition}:ecs:${Region}:${Account}:daemon-deployment/${ClusterName}/${DaemonName}/${DaemonDeploymentId}",
		"a deployment id per deployment", "DaemonDeploymentId", Whole),
	rule("ecs", "daemon-revision", "arn:${Partition}:ecs:${Region}:${Account}:daemon-revision/${ClusterName}/${DaemonName}/${DaemonRevisionId}",
		"a revision per deployment", "DaemonRevisionId", Whole),
	rule("ecs", "daemon-task-definition", "arn:${Partition}:ecs:${Region}:${Account}:daemon-task-definition/${DaemonTaskDefinitionFamilyName}:${DaemonTaskDefinitionRevisionNumber}",
		"a revision per deployment", "DaemonTaskDefinitionRevisionNumber", Number),

	// Lambda: published versions (aliases are names and stay).
	rule("lambda", "durable execution", "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}:${Version}/durable-execution/${ExecutionName}/${ExecutionId}",
		"an execution per invocation", "Version", Number, "ExecutionName", Whole, "ExecutionId", Whole),
	rule("lambda", "function version", "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}:${Version}",
		"a version per publish (a numeric qualifier; aliases stay)", "Version", Number),
	rule("lambda", "layerVersion", "arn:${Partition}:lambda:${Region}:${Account}:layer:${LayerName}:${LayerVersion}",
		"a version per publish", "LayerVersion", Number),

	// Step Functions: executions, express executions, map runs, versions.
	rule("states", "labelled execution", "arn:${Partition}:states:${Region}:${Account}:execution:${StateMachineName}/${MapRunLabel}:${ExecutionId}",
		"an execution per start", "ExecutionId", Whole),
	rule("states", "execution", "arn:${Partition}:states:${Region}:${Account}:execution:${StateMachineName}:${ExecutionId}",
		"an execution per start", "ExecutionId", Whole),
	rule("states", "labelled express", "arn:${Partition}:states:${Region}:${Account}:express:${StateMachineName}/${MapRunLabel}:${ExecutionId}:${ExpressId}",
		"an execution per start", "ExecutionId", Whole, "ExpressId", Whole),
	rule("states", "express", "arn:${Partition}:states:${Region}:${Account}:express:${StateMachineName}:${ExecutionId}:${ExpressId}",
		"an execution per start", "ExecutionId", Whole, "ExpressId", Whole),
	rule("states", "maprun", "arn:${Partition}:states:${Region}:${Account}:mapRun:${StateMachineName}/${MapRunLabel}:${MapRunId}",
		"a map run per execution", "MapRunId", Whole),
	rule("states", "statemachineversion", "arn:${Partition}:states:${Region}:${Account}:stateMachine:${StateMachineName}:${StateMachineVersionId}",
		"a version per publish (a numeric qualifier; aliases stay)", "StateMachineVersionId", Number),

	// CodeBuild: builds are PROJECT:UUID.
	rule("codebuild", "build", "arn:${Partition}:codebuild:${Region}:${Account}:build/${BuildId}",
		"a build id (PROJECT:UUID) per build", "BuildId", Qualifier),
	rule("codebuild", "build-batch", "arn:${Partition}:codebuild:${Region}:${Account}:build-batch/${BuildBatchId}",
		"a batch id (PROJECT:UUID) per batch build", "BuildBatchId", Qualifier),
	rule("codebuild", "report", "arn:${Partition}:codebuild:${Region}:${Account}:report/${ReportGroupName}:${ReportId}",
		"a report per build", "ReportId", Whole),
	rule("codebuild", "sandbox", "arn:${Partition}:codebuild:${Region}:${Account}:sandbox/${SandboxId}",
		"a sandbox per session", "SandboxId", Whole),

	// Glue and Athena: sessions and versions (job runs and query
	// executions are not in any ARN).
	rule("glue", "session", "arn:${Partition}:glue:${Region}:${Account}:session/${SessionId}",
		"a session per interactive run", "SessionId", Whole),
	rule("glue", "tableversion", "arn:${Partition}:glue:${Region}:${Account}:tableVersion/${DatabaseName}/${TableName}/${TableVersionName}",
		"a version per schema change", "TableVersionName", Whole),
	rule("glue", "completion", "arn:${Partition}:glue:${Region}:${Account}:completion/${CompletionId}",
		"a completion per request", "CompletionId", Whole),
	rule("athena", "session", "arn:${Partition}:athena:${Region}:${Account}:workgroup/${WorkGroupName}/session/${SessionId}",
		"a session per notebook run", "SessionId", Whole),

	// Systems Manager: automation executions, sessions, OpsItems.
	rule("ssm", "automation-execution", "arn:${Partition}:ssm:${Region}:${Account}:automation-execution/${AutomationExecutionId}",
		"an execution per automation run", "AutomationExecutionId", Whole),
	rule("ssm", "session", "arn:${Partition}:ssm:${Region}:${Account}:session/${SessionId}",
		"a session per connection", "SessionId", Whole),
	rule("ssm", "opsitem", "arn:${Partition}:ssm:${Region}:${Account}:opsitem/${ResourceId}",
		"an OpsItem per incident", "ResourceId", Whole),
	rule("ssm", "automation-definition", "arn:${Partition}:ssm:${Region}:${Account}:automation-definition/${AutomationDefinitionName}:${VersionId}",
		"a version per document update", "VersionId", Number),

	// Batch: jobs and job definition revisions.
	rule("batch", "job", "arn:${Partition}:batch:${Region}:${Account}:job/${JobId}",
		"a job id per submitted job", "JobId", Whole),
	rule("batch", "service-job", "arn:${Partition}:batch:${Region}:${Account}:service-job/${JobId}",
		"a job id per submitted job", "JobId", Whole),
	rule("batch", "job-definition-revision", "arn:${Partition}:batch:${Region}:${Account}:job-definition/${JobDefinitionName}:${Revision}",
		"a revision per registration", "Revision", Number),

	// SageMaker: jobs are named per run by the caller.
	rule("sagemaker", "training-job", "arn:${Partition}:sagemaker:${Region}:${Account}:training-job/${TrainingJobName}",
		"a job name per run (NAME-timestamp)", "TrainingJobName", Name),
	rule("sagemaker", "processing-job", "arn:${Partition}:sagemaker:${Region}:${Account}:processing-job/${ProcessingJobName}",
		"a job name per run (NAME-timestamp)", "ProcessingJobName", Name),
	rule("sagemaker", "transform-job", "arn:${Partition}:sagemaker:${Region}:${Account}:transform-job/${TransformJobName}",
		"a job name per run (NAME-timestamp)", "TransformJobName", Name),
	rule("sagemaker", "hyper-parameter-tuning-job", "arn:${Partition}:sagemaker:${Region}:${Account}:hyper-parameter-tuning-job/${HyperParameterTuningJobName}",
		"a job name per run (NAME-timestamp)", "HyperParameterTuningJobName", Name),
	rule("sagemaker", "automl-job", "arn:${Partition}:sagemaker:${Region}:${Account}:automl-job/${AutoMLJobJobName}",
		"a job name per run (NAME-timestamp)", "AutoMLJobJobName", Name),
	rule("sagemaker", "compilation-job", "arn:${Partition}:sagemaker:${Region}:${Account}:compilation-job/${CompilationJobName}",
		"a job name per run (NAME-timestamp)", "CompilationJobName", Name),
	rule("sagemaker", "labeling-job", "arn:${Partition}:sagemaker:${Region}:${Account}:labeling-job/${LabelingJobName}",
		"a job name per run (NAME-timestamp)", "LabelingJobName", Name),
	rule("sagemaker", "edge-packaging-job", "arn:${Partition}:sagemaker:${Region}:${Account}:edge-packaging-job/${EdgePackagingJobName}",
		"a job name per run (NAME-timestamp)", "EdgePackagingJobName", Name),
	rule("sagemaker", "inference-recommendations-job", "arn:${Partition}:sagemaker:${Region}:${Account}:inference-recommendations-job/${InferenceRecommendationsJobName}",
		"a job name per run (NAME-timestamp)", "InferenceRecommendationsJobName", Name),
	rule("sagemaker", "optimization-job", "arn:${Partition}:sagemaker:${Region}:${Account}:optimization-job/${OptimizationJobName}",
		"a job name per run (NAME-timestamp)", "OptimizationJobName", Name),
	rule("sagemaker", "pipeline-execution", "arn:${Partition}:sagemaker:${Region}:${Account}:pipeline/${PipelineName}/execution/${RandomString}",
		"an execution per pipeline start", "RandomString", Whole),
	rule("sagemaker", "model-card-export-job", "arn:${Partition}:sagemaker:${Region}:${Account}:model-card/${ModelCardName}/export-job/${ExportJobName}",
		"a job name per export", "ExportJobName", Name),
	rule("sagemaker", "image-version", "arn:${Partition}:sagemaker:${Region}:${Account}:image-version/${ImageName}/${Version}",
		"a version per image build", "Version", Number),

	// CloudFormation: stack ids change when a stack is recreated; change
	// sets are named per deployment.
	rule("cloudformation", "changeset", "arn:${Partition}:cloudformation:${Region}:${Account}:changeSet/${ChangeSetName}/${Id}",
		"a change set per deployment", "ChangeSetName", Name, "Id", Whole),
	rule("cloudformation", "stack", "arn:${Partition}:cloudformation:${Region}:${Account}:stack/${StackName}/${Id}",
		"a new stack id when the stack is recreated", "Id", Whole),
	rule("cloudformation", "stackset", "arn:${Partition}:cloudformation:${Region}:${Account}:stackset/${StackSetName}:${Id}",
		"a new id when the stack set is recreated", "Id", Whole),

	// DynamoDB: backups, exports, imports and stream labels.
	rule("dynamodb", "backup", "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/backup/${BackupName}",
		"a backup per run", "BackupName", Whole),
	rule("dynamodb", "export", "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/export/${ExportName}",
		"an export per run", "ExportName", Whole),
	rule("dynamodb", "import", "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/import/${ImportName}",
		"an import per run", "ImportName", Whole),
	rule("dynamodb", "stream", "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/stream/${StreamLabel}",
		"a new label (a timestamp) when the stream is re-enabled", "StreamLabel", Whole),

	// RDS: snapshots named per run, automated backups.
	rule("rds", "snapshot", "arn:${Partition}:rds:${Region}:${Account}:snapshot:${SnapshotName}",
		"a snapshot name per backup (NAME-date)", "SnapshotName", Name),
	rule("rds", "cluster-snapshot", "arn:${Partition}:rds:${Region}:${Account}:cluster-snapshot:${ClusterSnapshotName}",
		"a snapshot name per backup (NAME-date)", "ClusterSnapshotName", Name),
	rule("rds", "auto-backup", "arn:${Partition}:rds:${Region}:${Account}:auto-backup:${DbInstanceAutomatedBackupId}",
		"an automated backup id", "DbInstanceAutomatedBackupId", Whole),
	rule("rds", "cluster-auto-backup", "arn:${Partition}:rds:${Region}:${Account}:cluster-auto-backup:${DbClusterAutomatedBackupId}",
		"an automated backup id", "DbClusterAutomatedBackupId", Whole),

	// EMR: transient clusters, notebook executions, serverless job runs.
	rule("elasticmapreduce", "session", "arn:${Partition}:elasticmapreduce:${Region}:${Account}:cluster/${ClusterId}/session/${SessionId}",
		"a session per connection on a cluster per run", "ClusterId", Whole, "SessionId", Whole),
	rule("elasticmapreduce", "cluster", "arn:${Partition}:elasticmapreduce:${Region}:${Account}:cluster/${ClusterId}",
		"a cluster id (j-…) per transient cluster", "ClusterId", Whole),
	rule("elasticmapreduce", "notebook-execution", "arn:${Partition}:elasticmapreduce:${Region}:${Account}:notebook-execution/${NotebookExecutionId}",
		"an execution per run", "NotebookExecutionId", Whole),
	rule("emr-serverless", "jobRun", "arn:${Partition}:emr-serverless:${Region}:${Account}:/applications/${ApplicationId}/jobruns/${JobRunId}",
		"a job run per start", "JobRunId", Whole),
	rule("emr-serverless", "session", "arn:${Partition}:emr-serverless:${Region}:${Account}:/applications/${ApplicationId}/sessions/${SessionId}",
		"a session per start", "SessionId", Whole),

	// Other runs and jobs named by AWS per call.
	rule("datasync", "taskexecution", "arn:${Partition}:datasync:${Region}:${AccountId}:task/${TaskId}/execution/${ExecutionId}",
		"an execution per task run", "ExecutionId", Whole),
	rule("mediaconvert", "Job", "arn:${Partition}:mediaconvert:${Region}:${Account}:jobs/${JobId}",
		"a job id per transcode", "JobId", Whole),
	rule("transcribe", "transcriptionjob", "arn:${Partition}:transcribe:${Region}:${Account}:transcription-job/${JobName}",
		"a job name per transcription", "JobName", Name),
	rule("bedrock", "model-invocation-job", "arn:${Partition}:bedrock:${Region}:${Account}:model-invocation-job/${JobIdentifier}",
		"a job per batch inference", "JobIdentifier", Whole),
	rule("bedrock", "flow-execution", "arn:${Partition}:bedrock:${Region}:${Account}:flow/${FlowId}/alias/${FlowAliasId}/execution/${FlowExecutionId}",
		"an execution per flow run", "FlowExecutionId", Whole),
	rule("bedrock", "session", "arn:${Partition}:bedrock:${Region}:${Account}:session/${SessionId}",
		"a session per conversation", "SessionId", Whole),
	rule("imagebuilder", "workflowExecution", "arn:${Partition}:imagebuilder:${Region}:${Account}:workflow-execution/${WorkflowExecutionId}",
		"an execution per image build", "WorkflowExecutionId", Whole),
	rule("imagebuilder", "lifecycleExecution", "arn:${Partition}:imagebuilder:${Region}:${Account}:lifecycle-execution/${LifecycleExecutionId}",
		"an execution per lifecycle run", "LifecycleExecutionId", Whole),
	rule("imagebuilder", "imageVersion", "arn:${Partition}:imagebuilder:${Region}:${Account}:image/${ImageName}/${ImageVersion}",
		"a version per image build", "ImageVersion", Whole),
	rule("iot", "job", "arn:${Partition}:iot:${Region}:${Account}:job/${JobId}",
		"a job name per rollout", "JobId", Name),

	// API Gateway: request paths carry ids (orders/123).
	rule("execute-api", "execute-api-general", "arn:${Partition}:execute-api:${Region}:${Account}:${ApiId}/${Stage}/${Method}/${ApiSpecificResourcePath}",
		"path parameters (ids, dates) in the request path", "ApiSpecificResourcePath", Path),
}
