package trails

import "testing"

// S3 actions are classed by a reviewed list, not by the word "object":
// Object Lock configuration is a bucket setting and the *ForObjectLambda
// actions are S3 Control operations, all logged as management events.
func TestDataEventTypeReviewedS3List(t *testing.T) {
	tests := []struct{ action, want string }{
		{"s3:GetObject", S3Object},
		{"s3:PutObjectRetention", S3Object},
		{"s3:getobjectversiontagging", S3Object},
		{"s3:AbortMultipartUpload", S3Object},
		{"s3:RestoreObject", S3Object},
		{"s3:ListBucket", S3Object},
		{"s3:PutBucketObjectLockConfiguration", ""},
		{"s3:GetBucketObjectLockConfiguration", ""},
		{"s3:CreateAccessPointForObjectLambda", ""},
		{"s3:DeleteAccessPointForObjectLambda", ""},
		{"s3:DeleteAccessPointPolicyForObjectLambda", ""},
		{"s3:GetAccessPointConfigurationForObjectLambda", ""},
		{"s3:GetAccessPointForObjectLambda", ""},
		{"s3:GetAccessPointPolicyForObjectLambda", ""},
		{"s3:GetAccessPointPolicyStatusForObjectLambda", ""},
		{"s3:ListAccessPointsForObjectLambda", ""},
		{"s3:PutAccessPointConfigurationForObjectLambda", ""},
		{"s3:PutAccessPointPolicyForObjectLambda", ""},
		{"s3:PutBucketPolicy", ""},
		{"dynamodb:GetItem", DynamoDBTable},
		{"ec2:RunInstances", ""},
	}
	for _, tc := range tests {
		if got := DataEventType(tc.action); got != tc.want {
			t.Errorf("DataEventType(%q) = %q, want %q", tc.action, got, tc.want)
		}
	}
}
