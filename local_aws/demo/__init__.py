"""``make demo``: the whole product on a local AWS, start to finish (``python -m local_aws.demo``)."""
