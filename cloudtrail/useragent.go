package cloudtrail

import (
	"bytes"
	"hash/maphash"
)

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

// userAgentClass sorts a userAgent into a small set of classes. Most agents
// start with the tool's own token, so prefixes are tried first and the
// slower substring checks only for the rest. Order matters: the CLI's agent
// also names botocore, and Terraform's names the Go SDK.
func userAgentClass(ua []byte) string {
	ua = bytes.TrimLeft(ua, "[ ")
	if c, ok := prefixClass(ua); ok {
		return c
	}
	return substringClass(ua)
}

// prefixClass is the class of an agent that starts with its tool's token;
// ok is false when none does.
func prefixClass(ua []byte) (class string, ok bool) {
	if len(ua) == 0 {
		return "", true
	}
	pre := func(s string) bool { return len(ua) >= len(s) && string(ua[:len(s)]) == s }
	switch {
	case pre("aws-cli/"):
		return UACLI, true
	case pre("aws-sdk-go"):
		return UASDKGo, true
	case pre("Boto3/"), pre("boto3/"), pre("Botocore/"), pre("botocore/"):
		return UASDKPython, true
	case pre("aws-sdk-java"):
		return UASDKJava, true
	case pre("aws-sdk-js"), pre("aws-sdk-nodejs"):
		return UASDKJS, true
	case pre("console.amazonaws.com"), pre("signin.amazonaws.com"), pre("console.aws.amazon.com"), pre("Mozilla/"), pre("AWS Signin"):
		return UAConsole, true
	case pre("cloudformation.amazonaws.com"):
		return UACloudFormation, true
	case pre("APN/1.0 HashiCorp"), pre("Terraform/"):
		return UATerraform, true
	case pre("AWS Internal"), pre("awslambda-worker"):
		return UAService, true
	}
	return "", false
}

// substringClass classes an agent by the tokens it holds anywhere.
func substringClass(ua []byte) string {
	has := func(s string) bool { return bytes.Contains(ua, []byte(s)) }
	switch {
	case has("aws-cli/"):
		return UACLI
	case has("AWSCloudFormation"):
		return UACloudFormation
	case has("Terraform") || has("terraform-provider") || has("HashiCorp"):
		return UATerraform
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
	case bytes.HasSuffix(ua, []byte(".amazonaws.com")):
		return UAService
	}
	return UAOther
}

// uaSlots is the size of the Mapper's cache of agents classed by substring.
const uaSlots = 1 << 9

// uaEntry is a cached agent and its class.
type uaEntry struct{ ua, class string }

// userAgentClass is userAgentClass with the agents that need the substring
// checks (a dozen scans of the agent) cached: agents repeat from record to
// record. Like the intern table, a slot holds the last agent hashed to it.
func (m *Mapper) userAgentClass(ua []byte) string {
	ua = bytes.TrimLeft(ua, "[ ")
	if c, ok := prefixClass(ua); ok {
		return c
	}
	if len(ua) > 512 {
		return substringClass(ua)
	}
	slot := &m.uas[maphash.Bytes(m.seed, ua)&(uaSlots-1)]
	if e := slot.Load(); e != nil && e.ua == string(ua) {
		return e.class
	}
	e := &uaEntry{ua: string(ua), class: substringClass(ua)}
	slot.Store(e)
	return e.class
}
