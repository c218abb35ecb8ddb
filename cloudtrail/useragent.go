package cloudtrail

import "bytes"

// User-agent classes in Context.UserAgentClass.
const (
	UAConsole        = "console"
	UACLI            = "cli"
	UASDKGo          = "sdk-go"
	UASDKPython      = "sdk-python"
	UASDKJava        = "sdk-java"
	UASDKJS          = "sdk-js"
	UASDKDotNet      = "sdk-dotnet"
	UASDKRuby        = "sdk-ruby"
	UASDKPHP         = "sdk-php"
	UASDKRust        = "sdk-rust"
	UASDKCPP         = "sdk-cpp"
	UAPowerShell     = "powershell"
	UATerraform      = "terraform"
	UACloudFormation = "cloudformation"
	UAService        = "service"
	UAOther          = "other"
)

// userAgentClass sorts a userAgent into a small set of classes. Checks are
// ordered: the CLI's agent also names botocore, and Terraform's names the
// Go SDK.
func userAgentClass(ua []byte) string {
	ua = bytes.TrimLeft(ua, "[ ")
	if len(ua) == 0 {
		return ""
	}
	has := func(s string) bool { return bytes.Contains(ua, []byte(s)) }
	pre := func(s string) bool { return len(ua) >= len(s) && bytes.EqualFold(ua[:len(s)], []byte(s)) }
	switch {
	case pre("aws-cli/"), pre("aws-sdk-cli"):
		return UACLI
	case pre("cloudformation.amazonaws.com"), has("AWSCloudFormation"):
		return UACloudFormation
	case has("Terraform") || has("terraform-provider") || has("HashiCorp"):
		return UATerraform
	case pre("console.amazonaws.com"), pre("signin.amazonaws.com"), pre("console.aws.amazon.com"), pre("Mozilla/"), pre("AWS Signin"):
		return UAConsole
	case has("AWSPowerShell") || has("AWS.Tools.") || has("aws-tools-for-powershell"):
		return UAPowerShell
	case has("aws-sdk-go"):
		return UASDKGo
	case has("Boto3/") || has("boto3/") || has("Botocore/") || has("botocore/"):
		return UASDKPython
	case has("aws-sdk-java"):
		return UASDKJava
	case has("aws-sdk-js") || has("aws-sdk-nodejs"):
		return UASDKJS
	case has("aws-sdk-dotnet"):
		return UASDKDotNet
	case has("aws-sdk-ruby"):
		return UASDKRuby
	case has("aws-sdk-php"):
		return UASDKPHP
	case has("aws-sdk-rust"):
		return UASDKRust
	case has("aws-sdk-cpp"):
		return UASDKCPP
	case bytes.HasSuffix(ua, []byte(".amazonaws.com")), pre("AWS Internal"), pre("awslambda-worker"):
		return UAService
	}
	return UAOther
}
