"""GOcotrain: predict Gene Ontology functions of unannotated genes by co-training
a sequence view and an expression view."""

__version__ = "0.1.0"
