"""AWS Account Access Manager: which Identity Center user or group may assume which IAM role."""
