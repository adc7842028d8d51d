package channels

// Well-known IDs (not secrets).
const (
	DefaultTenant  = "b8bb8206-7cfd-4857-b892-9c151963e4fb"
	SystemActorID  = "1808e1f2-ee84-4136-b2b0-fdcc2d95c537"
	TraceNamespace = "ea197610-d193-4c80-ae07-99b365225c9c"
	SchemaHash     = "e10317555bb5bc43e93088f9d7698ead25f8626e97e13f34a5b6434474f1b020"
)
