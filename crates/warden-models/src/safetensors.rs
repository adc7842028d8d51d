//! (being written on the issue-8-models branch)
