// Package audit answers an auditor's questions from the evidence the other
// releasekit packages leave behind: who changed what, who approved it, what
// ran in production, and when (policy §1.5.2, §1.7, §1.21.3.4).
package audit
