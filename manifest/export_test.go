package manifest

// TreeChangesBounded is TreeChanges listing at most max files, so that a
// test can truncate a small manifest.
var TreeChangesBounded = treeChanges
