"""The bottom floor: configuration and vocabulary, imported by every other package and importing
none of them.

Every ``POLICYWATCH_*`` variable (``config``), where config files and the store are found
(``settings``), YAML loading with file/line/field errors (``yamlconf``), the source schema
(``sources_config``), the ReDoS guard every configured pattern passes (``redos``), secret
masking's registry (``secrets``), source health and polling maths (``health``), the stop signal
(``shutdown``) and the words stored and printed (``vocabulary``). Anything here may be used
anywhere; nothing here may import the pipeline, the store, services or the CLI
(``tests/unit/test_layers.py``)."""
