-- Default prices (USD per million tokens, the providers' public list prices, stored in
-- micro-USD per million tokens). Every org gets them; an org's own rows override them
-- (kt pricing set). The offline mock provider has a price too, so budgets can be tried locally.
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_openai_gpt_4o', NULL, 'openai', 'gpt-4o', 'USD', 2500000, 10000000, 1250000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_openai_gpt_4o_mini', NULL, 'openai', 'gpt-4o-mini', 'USD', 150000, 600000, 75000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_openai_gpt_4_1', NULL, 'openai', 'gpt-4.1', 'USD', 2000000, 8000000, 500000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_openai_gpt_4_1_mini', NULL, 'openai', 'gpt-4.1-mini', 'USD', 400000, 1600000, 100000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_openai_gpt_4_1_nano', NULL, 'openai', 'gpt-4.1-nano', 'USD', 100000, 400000, 25000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_openai_o3', NULL, 'openai', 'o3', 'USD', 2000000, 8000000, 500000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_openai_o3_mini', NULL, 'openai', 'o3-mini', 'USD', 1100000, 4400000, 550000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_openai_o4_mini', NULL, 'openai', 'o4-mini', 'USD', 1100000, 4400000, 275000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_openai_text_embedding_3_small', NULL, 'openai', 'text-embedding-3-small', 'USD', 20000, 0, NULL, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_openai_text_embedding_3_large', NULL, 'openai', 'text-embedding-3-large', 'USD', 130000, 0, NULL, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_azure_openai_gpt_4o', NULL, 'azure-openai', 'gpt-4o', 'USD', 2500000, 10000000, 1250000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_azure_openai_gpt_4o_mini', NULL, 'azure-openai', 'gpt-4o-mini', 'USD', 150000, 600000, 75000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_azure_openai_gpt_4_1', NULL, 'azure-openai', 'gpt-4.1', 'USD', 2000000, 8000000, 500000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_anthropic_claude_3_5_haiku_latest', NULL, 'anthropic', 'claude-3-5-haiku-latest', 'USD', 800000, 4000000, 80000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_anthropic_claude_3_7_sonnet_latest', NULL, 'anthropic', 'claude-3-7-sonnet-latest', 'USD', 3000000, 15000000, 300000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_anthropic_claude_sonnet_4_0', NULL, 'anthropic', 'claude-sonnet-4-0', 'USD', 3000000, 15000000, 300000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_anthropic_claude_opus_4_0', NULL, 'anthropic', 'claude-opus-4-0', 'USD', 15000000, 75000000, 1500000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_gemini_gemini_2_0_flash', NULL, 'gemini', 'gemini-2.0-flash', 'USD', 100000, 400000, 25000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_gemini_gemini_2_5_flash', NULL, 'gemini', 'gemini-2.5-flash', 'USD', 300000, 2500000, 75000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_gemini_gemini_2_5_pro', NULL, 'gemini', 'gemini-2.5-pro', 'USD', 1250000, 10000000, 310000, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_gemini_gemini_1_5_pro', NULL, 'gemini', 'gemini-1.5-pro', 'USD', 1250000, 5000000, 312500, 0, 'seed', 0);
--> statement-breakpoint
INSERT INTO pricing (id, org_id, provider, model, currency, input_micros, output_micros, cached_input_micros, effective_from, created_by, created_at) VALUES ('price_default_mock_any', NULL, 'mock', '*', 'USD', 1000000, 2000000, 500000, 0, 'seed', 0);
