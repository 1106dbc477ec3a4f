"""Survey intake: new survey waves as workbooks or CSV sets, validated into the same tidy
records the document loaders produce."""
