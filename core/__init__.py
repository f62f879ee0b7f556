"""The ground floor: helpers every app may use; imports no app of the project."""
